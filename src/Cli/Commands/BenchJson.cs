using System.Text.Json;

namespace AnomalyClip.Cli.Commands;

/// <summary>JSON settings shared by the benchmark commands (snake_case keys).</summary>
internal static class BenchJson
{
    public static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The CPU as the text output names it, e.g. "AMD EPYC, no native BF16" (what decides whether bf16 pays off).</summary>
    public static string CpuLine(string model, bool nativeBf16) => $"{model}, {(nativeBf16 ? "native BF16" : "no native BF16")}";
}
