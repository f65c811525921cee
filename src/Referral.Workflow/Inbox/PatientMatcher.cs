using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Referral.Fhir.Serialization;
using Referral.Persistence;

namespace Referral.Workflow.Inbox;

/// <summary>The receiver's patient for an incoming one: none yet, exactly one, or a conflict a coordinator must resolve.</summary>
public sealed record PatientMatch(string? ExistingId, IReadOnlyList<string> Candidates, string? Conflict)
{
    public bool IsNew => ExistingId is null && Conflict is null;
}

/// <summary>
/// Matches an incoming patient on the national resident ID and the alliance MPI number, over every local patient.
/// One patient found by all identifiers, with no contradicting sex or birth date, is a match; several, or
/// identifiers pointing at different patients, or contradicting demographics, are a conflict — never filed on a guess.
/// </summary>
public sealed class PatientMatcher(FhirDbContext db, FhirSerializer serializer)
{
    private static readonly string[] MatchingSystems = [ReferralCodes.ResidentIdSystem, ReferralCodes.MpiSystem];

    public async Task<PatientMatch> MatchAsync(Patient incoming, CancellationToken ct)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var byIdentifier = new List<HashSet<string>>();
        foreach (var identifier in incoming.Identifier.Where(i => MatchingSystems.Contains(i.System) && !string.IsNullOrEmpty(i.Value)))
        {
            var (system, value) = (identifier.System, identifier.Value);
            var ids = await db.Resources.AsNoTracking()
                .Where(p => p.ResourceType == "Patient" && !p.IsHistory && !p.IsDeleted
                    && db.TokenIndices.Any(t => t.Sid == p.Sid && t.Param == "identifier" && t.System == system && t.Code == value))
                .Select(p => p.ResourceId).ToListAsync(ct);
            byIdentifier.Add([.. ids]);
            found.UnionWith(ids);
        }

        if (found.Count == 0)
        {
            return new PatientMatch(null, [], null);
        }

        if (found.Count > 1)
        {
            return new PatientMatch(null, [.. found], "the identifiers match more than one patient here");
        }

        var id = found.Single();
        if (byIdentifier.Any(set => set.Count == 0))
        {
            // E.g. the resident ID is known here but the MPI number is not: the same person, or a mistyped number.
            return new PatientMatch(null, [id], "only some of the identifiers match the patient here");
        }

        var json = await db.Resources.AsNoTracking()
            .Where(p => p.ResourceType == "Patient" && p.ResourceId == id && !p.IsHistory).Select(p => p.Json).SingleAsync(ct);
        var local = (Patient)serializer.ParseStored(json);
        if (incoming.Gender is { } sex && local.Gender is { } localSex && sex != localSex)
        {
            return new PatientMatch(null, [id], "the sex differs from the patient here");
        }

        if (!string.IsNullOrEmpty(incoming.BirthDate) && !string.IsNullOrEmpty(local.BirthDate) && incoming.BirthDate != local.BirthDate)
        {
            return new PatientMatch(null, [id], "the birth date differs from the patient here");
        }

        return new PatientMatch(id, [id], null);
    }
}
