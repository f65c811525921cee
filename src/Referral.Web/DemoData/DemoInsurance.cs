using Hl7.Fhir.Model;
using Referral.Workflow;

namespace Referral.Web.DemoData;

/// <summary>
/// A demo patient's insurance (医保类别): an active Coverage of one of the alliance's insurance types, about six in ten
/// urban employee, three urban-rural resident, one self-pay. Chosen from the resident ID, so the other demo data
/// (drawn from the seeded random sequence) stays as it was.
/// </summary>
internal static class DemoInsurance
{
    private static readonly (string Code, string Display)[] Types =
    [
        ("urban-employee", "Urban employee basic medical insurance"),
        ("urban-rural-resident", "Urban-rural resident basic medical insurance"),
        ("self-pay", "Self-pay"),
    ];

    public static Coverage For(DemoPatient patient, ResourceReference subject)
    {
        var draw = (uint)DemoPatients.StableHash(patient.ResidentId + "/insurance") % 10;
        var (code, display) = Types[draw < 6 ? 0 : draw < 9 ? 1 : 2];
        var selfPay = code == "self-pay";
        return new Coverage
        {
            Status = FinancialResourceStatusCodes.Active,
            Type = DemoCodes.Coded(PatientCoverage.InsuranceTypeSystem, code, display),
            // The social insurance number is the resident ID number.
            SubscriberId = selfPay ? null : patient.ResidentId,
            Beneficiary = subject,
            Relationship = DemoCodes.Coded("http://terminology.hl7.org/CodeSystem/subscriber-relationship", "self", "Self"),
            Payor = selfPay
                ? [subject]
                : [new ResourceReference
                {
                    Type = "Organization",
                    Identifier = new Identifier(DemoCodes.OrganizationSystem, "healthcare-security-administration"),
                    Display = "市医疗保障局 Municipal Healthcare Security Administration",
                }],
        };
    }
}
