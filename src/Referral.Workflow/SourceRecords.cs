using Hl7.Fhir.Model;

namespace Referral.Workflow;

/// <summary>
/// The source-record identifier (<see cref="ReferralCodes.SourceRecordSystem"/>) of a record copied between nodes:
/// where it was first made, <c>Organization/x/Type/id</c>. Resources with a list of identifiers or a single one carry it.
/// </summary>
public static class SourceRecords
{
    /// <summary>Where the record was first made when it is a copy from a partner; null for a node's own.</summary>
    public static string? Of(Resource resource) => resource switch
    {
        IIdentifiable<List<Identifier>> many => many.Identifier.FirstOrDefault(i => i.System == ReferralCodes.SourceRecordSystem)?.Value,
        IIdentifiable<Identifier> { Identifier: { System: ReferralCodes.SourceRecordSystem } one } => one.Value,
        _ => null,
    };

    /// <summary>Whether the resource has room for a source-record identifier (a list, or a single identifier not yet used).</summary>
    public static bool CanMark(Resource resource) => resource is IIdentifiable<List<Identifier>> or IIdentifiable<Identifier> { Identifier: null };

    /// <summary>Adds the identifier (see <see cref="CanMark"/>); returns the conditional criteria keyed on it, or null when there is no room.</summary>
    public static string? Mark(Resource copy, string origin)
    {
        switch (copy)
        {
            case IIdentifiable<List<Identifier>> many:
                many.Identifier.Add(new Identifier(ReferralCodes.SourceRecordSystem, origin));
                break;
            case IIdentifiable<Identifier> { Identifier: null } one:
                one.Identifier = new Identifier(ReferralCodes.SourceRecordSystem, origin);
                break;
            default:
                return null;
        }

        return Criteria(origin);
    }

    /// <summary>Removes the identifier from a record that is back at the node that made it.</summary>
    public static void Forget(Resource record, string origin)
    {
        switch (record)
        {
            case IIdentifiable<List<Identifier>> many:
                many.Identifier.RemoveAll(i => i.System == ReferralCodes.SourceRecordSystem && i.Value == origin);
                break;
            case IIdentifiable<Identifier> { Identifier: { System: ReferralCodes.SourceRecordSystem } one } single when one.Value == origin:
                single.Identifier = null!;
                break;
        }
    }

    public static string Criteria(string origin) => $"identifier={ReferralCodes.SourceRecordSystem}|{origin}";
}
