namespace AnomalyClip.Inference.Metrics;

/// <summary>RFC 4180 field quoting for the CSV files the library and the CLI write.</summary>
internal static class Csv
{
    /// <summary><paramref name="s"/> as one CSV field: quoted (inner quotes doubled) when it holds a comma, quote or line break.</summary>
    public static string Field(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
}
