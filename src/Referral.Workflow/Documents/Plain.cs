using System.Globalization;
using System.Text;
using System.Xml.Linq;
using Hl7.Fhir.Model;

namespace Referral.Workflow.Documents;

/// <summary>How FHIR values read on a printed form: names, sex, age, codes, timings and narrative as plain text.</summary>
public static class Plain
{
    public static string? Name(IEnumerable<HumanName> names)
    {
        var name = names.FirstOrDefault(n => n.Use == HumanName.NameUse.Official) ?? names.FirstOrDefault();
        if (name is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(name.Text))
        {
            return name.Text;
        }

        // Chinese order: family name first, no space.
        var given = string.Concat(name.Given);
        return $"{name.Family}{given}" is { Length: > 0 } joined ? joined : null;
    }

    public static string Sex(AdministrativeGender? gender) => gender switch
    {
        AdministrativeGender.Male => "男 male",
        AdministrativeGender.Female => "女 female",
        AdministrativeGender.Other => "其他 other",
        _ => "未知 unknown",
    };

    /// <summary>"1961-03-14（65 岁）": the birth date and the age on <paramref name="on"/>.</summary>
    public static string? BirthAndAge(string? birthDate, DateTimeOffset on)
    {
        if (string.IsNullOrEmpty(birthDate))
        {
            return null;
        }

        if (!DateTime.TryParseExact(birthDate, ["yyyy-MM-dd", "yyyy-MM", "yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
        {
            return birthDate;
        }

        var age = on.Year - born.Year - (on.Month < born.Month || (on.Month == born.Month && on.Day < born.Day) ? 1 : 0);
        return $"{birthDate}（{age.ToString(CultureInfo.InvariantCulture)} 岁 years）";
    }

    public static string Priority(RequestPriority? priority) => priority switch
    {
        RequestPriority.Routine => "普通 routine",
        RequestPriority.Urgent => "紧急 urgent",
        RequestPriority.Asap => "加急 as soon as possible",
        RequestPriority.Stat => "立即 immediately",
        _ => "未注明 not stated",
    };

    /// <summary>The concept's text, else its first coding's display (or the alliance designation), with the code.</summary>
    public static string? Concept(CodeableConcept? concept, CodeDisplays? displays = null)
    {
        if (concept is null)
        {
            return null;
        }

        var coding = concept.Coding.FirstOrDefault();
        var text = concept.Text ?? (coding is null ? null : displays?.Describe(coding) ?? coding.Display);
        var code = coding?.Code is { } c ? $"{SystemLabel(coding.System)}{c}" : null;
        return (text, code) switch
        {
            (null, null) => null,
            (null, _) => code,
            (_, null) => text,
            _ when text.Contains(coding!.Code!, StringComparison.Ordinal) => text,
            _ => $"{text}（{code}）",
        };
    }

    public static string Date(DateTimeOffset value) => value.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string? Date(string? fhirDateTime) =>
        fhirDateTime is null ? null
        : DateTimeOffset.TryParse(fhirDateTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed) && fhirDateTime.Length > 10 ? Date(parsed)
        : fhirDateTime;

    /// <summary>"每 3 月 every 3 months, 2026-12-15 – 2028-12-15": a repeating schedule as people say it.</summary>
    public static string? Timing(Timing? timing)
    {
        if (timing?.Repeat is not { } repeat)
        {
            return timing?.Event.FirstOrDefault() is { } single ? Date(single) : null;
        }

        var parts = new List<string>();
        if (repeat.Period is { } period && repeat.PeriodUnit is { } unit)
        {
            var (zh, en) = unit switch
            {
                Hl7.Fhir.Model.Timing.UnitsOfTime.D => ("天", "days"),
                Hl7.Fhir.Model.Timing.UnitsOfTime.Wk => ("周", "weeks"),
                Hl7.Fhir.Model.Timing.UnitsOfTime.Mo => ("月", "months"),
                Hl7.Fhir.Model.Timing.UnitsOfTime.A => ("年", "years"),
                _ => ("", unit.ToString()),
            };
            var n = period.ToString(CultureInfo.InvariantCulture);
            var times = repeat.Frequency is > 1 ? $" {repeat.Frequency.Value.ToString(CultureInfo.InvariantCulture)} 次 times" : "";
            parts.Add($"每 {n} {zh}{times} every {n} {en}");
        }

        if (repeat.Bounds is Period bounds)
        {
            parts.Add($"{Date(bounds.Start)} – {Date(bounds.End)}");
        }
        else if (repeat.Count is { } count)
        {
            parts.Add($"共 {count.ToString(CultureInfo.InvariantCulture)} 次 {count.ToString(CultureInfo.InvariantCulture)} times");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    /// <summary>The text of an XHTML narrative, with block elements and line breaks as new lines.</summary>
    public static string? Narrative(Narrative? narrative)
    {
        if (string.IsNullOrWhiteSpace(narrative?.Div))
        {
            return null;
        }

        var text = new StringBuilder();
        Append(XElement.Parse(narrative.Div), text);
        var lines = text.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0);
        return string.Join("\n", lines);
    }

    private static void Append(XNode node, StringBuilder text)
    {
        switch (node)
        {
            case XText t:
                text.Append(t.Value.ReplaceLineEndings(" "));
                break;
            case XElement e:
                var block = e.Name.LocalName is "p" or "div" or "li" or "tr" or "br" or "h1" or "h2" or "h3" or "h4" or "table" or "ul" or "ol";
                if (block)
                {
                    text.Append('\n');
                }

                if (e.Name.LocalName == "li")
                {
                    text.Append("• ");
                }

                foreach (var child in e.Nodes())
                {
                    Append(child, text);
                }

                if (e.Name.LocalName is "td" or "th")
                {
                    text.Append("  ");
                }

                if (block)
                {
                    text.Append('\n');
                }

                break;
        }
    }

    private static string SystemLabel(string? system) => system switch
    {
        "http://hl7.org/fhir/sid/icd-10" or "http://hl7.org/fhir/sid/icd-10-cn" => "ICD-10 ",
        "http://loinc.org" => "LOINC ",
        "http://snomed.info/sct" => "SNOMED CT ",
        _ => "",
    };
}
