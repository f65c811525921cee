using Microsoft.Extensions.Options;

namespace Referral.Workflow.ServiceLevels;

/// <summary>
/// Checks the service levels at start: each within <see cref="ServiceLevelOptions.Shortest"/> and
/// <see cref="ServiceLevelOptions.Longest"/>, and a more urgent priority never given longer than a less urgent one.
/// Each failure names its key, e.g. <c>Alliance:ServiceLevels:Urgent</c>.
/// </summary>
public sealed class ServiceLevelOptionsValidator : IValidateOptions<ServiceLevelOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceLevelOptions options)
    {
        (string Key, TimeSpan Value)[] levels =
        [
            (nameof(options.Stat), options.Stat),
            (nameof(options.Asap), options.Asap),
            (nameof(options.Urgent), options.Urgent),
            (nameof(options.Routine), options.Routine),
        ];
        var failures = levels.Where(l => l.Value < ServiceLevelOptions.Shortest || l.Value > ServiceLevelOptions.Longest)
            .Select(l => $"{ServiceLevelOptions.Section}:{l.Key} must be between {ServiceLevelOptions.Shortest} and {ServiceLevelOptions.Longest}, not {l.Value}.")
            .ToList();
        for (var i = 1; i < levels.Length; i++)
        {
            if (levels[i - 1].Value > levels[i].Value)
            {
                failures.Add($"{ServiceLevelOptions.Section}:{levels[i - 1].Key} ({levels[i - 1].Value}) must not be longer than {ServiceLevelOptions.Section}:{levels[i].Key} ({levels[i].Value}): a more urgent referral is answered sooner.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
