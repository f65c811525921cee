using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Referral.Benchmarks;

/// <summary>The single requests the load scenarios repeat, each checking the answer it expects.</summary>
internal sealed class Scenarios(HttpClient client, Uri fhirBase, IReadOnlyList<SeededPatient> patients, int firstCreated)
{
    private static readonly MediaTypeHeaderValue FhirJson = new("application/fhir+json");
    private int _nextCreated = firstCreated - 1;

    public Task<Outcome> BaselineAsync(Uri url, CancellationToken ct) => SendAsync(() => client.GetAsync(url, ct), HttpStatusCode.OK, null, ct);

    public Task<Outcome> ReadAsync(CancellationToken ct)
    {
        var patient = patients[Random.Shared.Next(patients.Count)];
        return SendAsync(() => client.GetAsync(new Uri(fhirBase, "Patient/" + patient.Id), ct), HttpStatusCode.OK, null, ct);
    }

    /// <summary>Token plus string search for one seeded patient; anything but exactly one match is an error.</summary>
    public Task<Outcome> SearchAsync(CancellationToken ct)
    {
        var n = patients[Random.Shared.Next(patients.Count)].N;
        var query = string.Create(
            CultureInfo.InvariantCulture,
            $"Patient?identifier={Uri.EscapeDataString($"{PatientData.MrnSystem}|{n}")}&family={Uri.EscapeDataString(PatientData.Family(n))}");
        return SendAsync(() => client.GetAsync(new Uri(fhirBase, query), ct), HttpStatusCode.OK, CheckTotalIsOne, ct);
    }

    public Task<Outcome> CreateAsync(CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _nextCreated);
        return SendAsync(
            () =>
            {
                var content = new ByteArrayContent(PatientData.Patient(n));
                content.Headers.ContentType = FhirJson;
                return client.PostAsync(new Uri(fhirBase, "Patient"), content, ct);
            },
            HttpStatusCode.Created,
            null,
            ct);
    }

    private static Outcome CheckTotalIsOne(byte[] body)
    {
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("total", out var total))
        {
            return Outcome.Failure("200 without total", "searchset Bundle has no total");
        }

        return total.GetInt32() == 1
            ? Outcome.Success
            : Outcome.Failure("200 with total != 1", $"total {total.GetInt32()} instead of 1");
    }

    private static async Task<Outcome> SendAsync(
        Func<Task<HttpResponseMessage>> send, HttpStatusCode expected, Func<byte[], Outcome>? check, CancellationToken ct)
    {
        try
        {
            using var response = await send();
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            if (response.StatusCode != expected)
            {
                return Outcome.Failure(response.StatusCode, body);
            }

            return check is null ? Outcome.Success : check(body);
        }
        catch (HttpRequestException e)
        {
            return Outcome.Failure(e.GetType().Name, e.Message);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            return Outcome.Failure("timeout", e.Message);
        }
        catch (JsonException e)
        {
            return Outcome.Failure("invalid JSON", e.Message);
        }
    }
}
