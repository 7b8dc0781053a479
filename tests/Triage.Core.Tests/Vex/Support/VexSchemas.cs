using System.Text.Json;
using Json.Schema;
using Triage.Testing;

namespace Triage.Core.Tests.Vex.Support;

/// <summary>
/// The official schemas in ../shared/schemas, loaded with JsonSchema.Net and evaluated with format validation on (the
/// acceptance check's validate.py checks formats too). Each schema gets its own registry so the CycloneDX and CSAF $ids do
/// not collide between test classes.
/// </summary>
public static class VexSchemas
{
    public static string Root => Path.GetFullPath(Path.Combine(TestPaths.SharedFixtures, "..", "schemas"));

    private static readonly Lazy<JsonSchema> OpenVexSchema = new(() => Load("openvex", "openvex_json_schema.json"));
    private static readonly Lazy<JsonSchema> CycloneDx16Schema = new(() => Load("cyclonedx", "bom-1.6.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"));
    private static readonly Lazy<JsonSchema> Csaf20Schema = new(() => Load("csaf", "csaf_2.0_json_schema.json"));

    public static IReadOnlyList<string> ValidateOpenVex(string json) => Validate(OpenVexSchema.Value, json);
    public static IReadOnlyList<string> ValidateCycloneDx16(string json) => Validate(CycloneDx16Schema.Value, json);
    public static IReadOnlyList<string> ValidateCsaf20(string json) => Validate(Csaf20Schema.Value, json);

    private static readonly object Gate = new();

    private static JsonSchema Load(string folder, string main, params string[] companions)
    {
        lock (Gate)
        {
            var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
            foreach (var c in companions)
                JsonSchema.FromFile(Path.Combine(Root, folder, c), options);
            // CSAF 2.0 refers to FIRST's CVSS schemas by URL. Triage never writes CVSS scores into VEX, so those branches are
            // never taken; placeholders keep the build offline without loosening anything our documents use.
            foreach (var cvss in new[] { "https://www.first.org/cvss/cvss-v2.0.json", "https://www.first.org/cvss/cvss-v3.0.json", "https://www.first.org/cvss/cvss-v3.1.json" })
                if (folder == "csaf")
                    JsonSchema.FromText($$"""{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"{{cvss}}","type":"object"}""", options);
            return JsonSchema.FromFile(Path.Combine(Root, folder, main), options);
        }
    }

    private static IReadOnlyList<string> Validate(JsonSchema schema, string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = schema.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        if (result.IsValid) return [];
        return (result.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))
            .Take(20)
            .DefaultIfEmpty("invalid (no detail)")
            .ToArray();
    }
}
