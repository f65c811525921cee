using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Win32.SafeHandles;

namespace Referral.Identity.Audit.Journal;

/// <summary>
/// One file of the audit journal: a preallocated, zero-filled file that records are appended to as frames
/// (<c>length</c>, <c>CRC-32</c>, the record as UTF-8 JSON) and flushed before anyone is told they are stored. Writing
/// inside a length that is already on disk means a flush has only the data to write, not the file's new size. The
/// first frame whose length is zero or whose checksum does not match ends the file's records: a frame torn by a crash
/// was never acknowledged.
/// </summary>
internal sealed class JournalSegment : IDisposable
{
    public const string Extension = ".journal";

    internal const int HeaderBytes = 8;

    private readonly FileStream _stream;

    private JournalSegment(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
        Capacity = stream.Length;
    }

    public string Path { get; }

    /// <summary>The file name, which the trail's checkpoints key on.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    public long Capacity { get; }

    /// <summary>Where the next frame goes: the end of what has been appended.</summary>
    public long End { get; private set; }

    private SafeFileHandle Handle => _stream.SafeFileHandle;

    /// <summary>Creates, zero-fills and flushes a new segment (and its directory entry), ready to append to.</summary>
    public static JournalSegment Create(string directory, long capacity)
    {
        var path = System.IO.Path.Combine(directory, $"{DateTime.UtcNow.Ticks:D19}-{Guid.NewGuid():N}{Extension}");
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, bufferSize: 0);
        try
        {
            var zeros = new byte[1 << 20];
            for (long offset = 0; offset < capacity; offset += zeros.Length)
            {
                RandomAccess.Write(stream.SafeFileHandle, zeros.AsSpan(0, (int)Math.Min(zeros.Length, capacity - offset)), offset);
            }

            stream.Flush(flushToDisk: true);
            DurableFile.FlushDirectory(directory);
            return new JournalSegment(path, stream);
        }
        catch
        {
            stream.Dispose();
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Appends the encoded frames when they fit, without flushing; false when the segment is full.</summary>
    public bool TryAppend(ReadOnlySpan<byte> frames)
    {
        if (End + frames.Length > Capacity)
        {
            return false;
        }

        RandomAccess.Write(Handle, frames, End);
        End += frames.Length;
        return true;
    }

    /// <summary>Makes everything appended so far durable.</summary>
    public void Flush() => DurableFile.FlushData(Handle, _stream);

    /// <summary>The records of a segment file from <paramref name="offset"/> on, each with the offset just past its frame.</summary>
    public static IEnumerable<(AuditRecord Record, long End)> Read(string path, long offset)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = RandomAccess.GetLength(file);
        var header = new byte[HeaderBytes];
        while (offset + HeaderBytes <= length && RandomAccess.Read(file, header, offset) == HeaderBytes)
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(header);
            if (size <= 0 || offset + HeaderBytes + size > length)
            {
                yield break;
            }

            var payload = new byte[size];
            if (RandomAccess.Read(file, payload, offset + HeaderBytes) != size
                || Crc32.HashToUInt32(payload) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
            {
                yield break;
            }

            offset += HeaderBytes + size;
            yield return (JsonSerializer.Deserialize(payload, JournalJson.Default.AuditRecord)!, offset);
        }
    }

    public void Dispose() => _stream.Dispose();
}

/// <summary>The journal's JSON of a record: its stored properties, nulls left out.</summary>
[JsonSourceGenerationOptions(IgnoreReadOnlyProperties = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
internal sealed partial class JournalJson : JsonSerializerContext;

/// <summary>A lane's batch of records encoded as journal frames, ready to append in one write.</summary>
internal sealed class JournalFrames : IDisposable
{
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);

    private readonly ArrayBufferWriter<byte> _payload = new(4 * 1024);

    private readonly Utf8JsonWriter _json;

    public JournalFrames() => _json = new Utf8JsonWriter(_payload);

    public ReadOnlySpan<byte> Written => _frames.WrittenSpan;

    public void Add(AuditRecord record)
    {
        _payload.ResetWrittenCount();
        _json.Reset(_payload);
        JsonSerializer.Serialize(_json, record, JournalJson.Default.AuditRecord);
        _json.Flush();
        var payload = _payload.WrittenSpan;
        var header = _frames.GetSpan(JournalSegment.HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], Crc32.HashToUInt32(payload));
        _frames.Advance(JournalSegment.HeaderBytes);
        _frames.Write(payload);
    }

    public void Clear() => _frames.ResetWrittenCount();

    public void Dispose() => _json.Dispose();
}
