using Microsoft.Extensions.Configuration;
using Triage.Core.Ranking;
using Triage.Core.Runtime.Inventory;

namespace Triage.Data.Runtime;

/// <summary>
/// Reads "Triage:Ranking" (<see cref="RankingPolicy"/>) and "Triage:Runtime" (<see cref="RuntimeSettings"/>) from
/// configuration, the same way for the web app and the CLI. Lists given in configuration replace the defaults (the
/// binder alone would append to them), and a policy that fails <see cref="RankingPolicy.Validate"/> is refused with
/// its reasons.
/// </summary>
public static class RuntimeConfiguration
{
    public const string RankingSection = "Triage:Ranking";
    public const string RuntimeSection = "Triage:Runtime";

    public static RankingPolicy Ranking(IConfiguration configuration)
    {
        var section = configuration.GetSection(RankingSection);
        if (!section.Exists()) return RankingPolicy.Default;
        var policy = section.Get<RankingPolicy>() ?? RankingPolicy.Default;
        if (Strings(section, nameof(RankingPolicy.ProdEnvironments)) is { } prod) policy = policy with { ProdEnvironments = prod };
        if (Strings(section, nameof(RankingPolicy.StagingEnvironments)) is { } staging) policy = policy with { StagingEnvironments = staging };
        var errors = policy.Validate();
        if (errors.Count > 0) throw new InvalidOperationException($"{RankingSection} is not a usable ranking policy: {string.Join(" ", errors)}");
        return policy;
    }

    public static RuntimeSettings Runtime(IConfiguration configuration)
    {
        var section = configuration.GetSection(RuntimeSection);
        if (!section.Exists()) return RuntimeSettings.Default;
        var settings = RuntimeSettings.Default;
        if (section[nameof(RuntimeSettings.RunningWindowHours)] is { } window)
            settings = settings with
            {
                RunningWindowHours = double.TryParse(window, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var h)
                    ? h
                    : throw new InvalidOperationException($"{RuntimeSection}:RunningWindowHours '{window}' is not a number"),
            };
        if (section[nameof(RuntimeSettings.AllClustersInventoried)] is { } all)
            settings = settings with
            {
                AllClustersInventoried = bool.TryParse(all, out var b) ? b : throw new InvalidOperationException($"{RuntimeSection}:AllClustersInventoried '{all}' is not true or false"),
            };
        var env = section.GetSection(nameof(RuntimeSettings.Environments));
        if (env.Exists())
        {
            var rules = EnvironmentRules.Default;
            if (Strings(env, nameof(EnvironmentRules.LabelKeys)) is { } labels) rules = rules with { LabelKeys = labels };
            var namespaces = env.GetSection(nameof(EnvironmentRules.Namespaces));
            if (namespaces.Exists())
                rules = rules with
                {
                    Namespaces = namespaces.GetChildren()
                        .Select(c => new NamespaceEnvironment(c["Pattern"] ?? "", c["Environment"] ?? ""))
                        .ToList(),
                };
            settings = settings with { Environments = rules };
        }
        var errors = settings.Validate();
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(" ", errors));
        return settings;
    }

    /// <summary>"Triage:Runtime:Retention" (<see cref="RuntimeRetentionSettings"/>): the defaults when absent, refused with its
    /// reasons when a value is not usable.</summary>
    public static RuntimeRetentionSettings Retention(IConfiguration configuration)
    {
        var section = configuration.GetSection(RuntimeRetentionSettings.Section);
        if (!section.Exists()) return RuntimeRetentionSettings.Default;
        var settings = section.Get<RuntimeRetentionSettings>() ?? RuntimeRetentionSettings.Default;
        var errors = settings.Validate();
        if (errors.Count > 0) throw new InvalidOperationException(string.Join(" ", errors));
        return settings;
    }

    private static List<string>? Strings(IConfigurationSection parent, string name)
    {
        var s = parent.GetSection(name);
        if (!s.Exists()) return null;
        // "A,B" or an array of values.
        if (s.Value is { } single) return single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        return s.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0).ToList();
    }
}
