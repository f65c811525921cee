using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Referral.Identity.Audit.Journal;

/// <summary>
/// Flushes a file's data to the disk. On Linux with <c>fdatasync</c>: the journal's files are written in place inside
/// their preallocated length, so only the data needs flushing, not the inode's times, which saves the file system a
/// journal commit per flush. Elsewhere with the runtime's full flush.
/// </summary>
internal static class DurableFile
{
    public static void FlushData(SafeFileHandle file, FileStream stream)
    {
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync((int)file.DangerousGetHandle()) != 0)
            {
                throw new IOException($"fdatasync failed (errno {Marshal.GetLastPInvokeError()}).");
            }

            return;
        }

        stream.Flush(flushToDisk: true);
    }

    /// <summary>Makes a new file's directory entry durable (Linux): without it a crash could lose the file itself.</summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = open([.. System.Text.Encoding.UTF8.GetBytes(directory), 0], 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Could not open {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (fsync(fd) != 0)
            {
                throw new IOException($"fsync of {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = close(fd);
        }
    }

    // DllImport rather than LibraryImport: its generated code needs unsafe blocks, and these signatures marshal nothing
    // but ints and a byte array.
    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int open(byte[] nulTerminatedUtf8Path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
