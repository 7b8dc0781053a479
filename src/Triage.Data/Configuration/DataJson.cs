using System.Text.Json.Serialization;

namespace Triage.Data.Configuration;

[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(IReadOnlyCollection<string>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSourceGenerationOptions(WriteIndented = false)]
internal sealed partial class DataJson : JsonSerializerContext;
