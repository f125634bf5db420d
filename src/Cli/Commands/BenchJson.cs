using System.Text.Json;

namespace AnomalyClip.Cli.Commands;

/// <summary>JSON settings shared by the benchmark commands (snake_case keys).</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };
}
