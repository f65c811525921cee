using System.Runtime.CompilerServices;
using System.Security.Claims;

namespace Referral.Identity.Access;

/// <summary>The authenticated caller of a request, read once from its token's claims.</summary>
public sealed class FhirCaller
{
    private FhirCaller(ClaimsPrincipal principal, NodeAuthenticationOptions options)
    {
        IsAuthenticated = principal.Identity?.IsAuthenticated == true;
        Subject = principal.FindFirst("sub")?.Value;
        ClientId = principal.FindFirst("client_id")?.Value ?? principal.FindFirst("azp")?.Value;
        Name = principal.FindFirst("name")?.Value;
        FhirUser = principal.FindFirst("fhirUser")?.Value;
        Patient = principal.FindFirst("patient")?.Value;
        Roles = [.. principal.FindAll(options.RoleClaim).SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.Ordinal)];
        Organization = principal.FindFirst(options.OrganizationClaim)?.Value;
        var scopes = principal.FindAll("scope").Concat(principal.FindAll("scp"))
            .SelectMany(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Scopes = [.. scopes.Select(SmartScope.Parse).OfType<SmartScope>()];
    }

    public bool IsAuthenticated { get; }

    public string? Subject { get; }

    public string? ClientId { get; }

    public string? Name { get; }

    /// <summary>The caller's own FHIR resource (Practitioner/…) when it is a person.</summary>
    public string? FhirUser { get; }

    /// <summary>The launch patient of a patient-context token (<c>patient</c> claim).</summary>
    public string? Patient { get; }

    public IReadOnlyList<string> Roles { get; }

    /// <summary>The organisation the caller acts for, as <c>Organization/id</c>; null when the token names none.</summary>
    public string? Organization { get; }

    /// <summary>The id part of <see cref="Organization"/>.</summary>
    public string? OrganizationId => Organization is { } reference && reference.StartsWith("Organization/", StringComparison.Ordinal)
        ? reference["Organization/".Length..]
        : null;

    public IReadOnlyList<SmartScope> Scopes { get; }

    /// <summary>Who the caller is, for messages and audit: the person's or client's name, else its subject.</summary>
    public string Display => Name ?? ClientId ?? Subject ?? "anonymous";

    /// <summary>
    /// The caller of <paramref name="principal"/>. A remembered token validation (<see cref="Tokens.ValidatedTokenCache"/>)
    /// hands every request with that token the same claims identity, so the caller read from it is kept with it (and goes
    /// when it goes) instead of being read from the claims again on every request.
    /// </summary>
    public static FhirCaller From(ClaimsPrincipal principal, NodeAuthenticationOptions options)
    {
        if (principal.Identities.Count() != 1 || principal.Identity is not ClaimsIdentity { IsAuthenticated: true } identity)
        {
            return new(principal, options);
        }

        if (ByIdentity.TryGetValue(identity, out var known) && ReferenceEquals(known.Options, options))
        {
            return known.Caller;
        }

        var caller = new FhirCaller(principal, options);
        ByIdentity.AddOrUpdate(identity, new KnownCaller(caller, options));
        return caller;
    }

    private static readonly ConditionalWeakTable<ClaimsIdentity, KnownCaller> ByIdentity = [];

    /// <summary>The caller read from one identity, with the options it was read under (role and organisation claim names).</summary>
    private sealed record KnownCaller(FhirCaller Caller, NodeAuthenticationOptions Options);

    /// <summary>
    /// What of the caller decides which patients and types it may read: organisation, launch context, roles and scopes
    /// (see <see cref="OrganizationAccessPolicy.ReadScopeKey"/>).
    /// </summary>
    public string ReadScopeKey => _readScopeKey ??= string.Join('\n', [Organization ?? "", Patient is null ? "" : "launch",
        string.Join(' ', Roles.Order(StringComparer.Ordinal)), string.Join(' ', Scopes.Select(s => s.ToString()).Order(StringComparer.Ordinal))]);

    private string? _readScopeKey;

    /// <summary>What the caller's roles and scopes together allow on a resource type.</summary>
    public Permission PermissionsOn(string resourceType)
    {
        var scoped = Permission.None;
        foreach (var scope in Scopes)
        {
            // A patient-context scope only counts with a launch patient to confine it to.
            if (scope.Covers(resourceType) && (scope.Kind != SmartScope.Context.Patient || Patient is not null))
            {
                scoped |= scope.Permissions;
            }
        }

        return RolePermissions.For(Roles, resourceType) & scoped;
    }

    /// <summary>True when only patient-context scopes grant access, so everything is confined to the launch patient's compartment.</summary>
    public bool ConfinedToPatient => Scopes.Count > 0 && Scopes.All(s => s.Kind == SmartScope.Context.Patient);
}
