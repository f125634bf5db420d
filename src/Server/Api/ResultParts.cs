namespace AnomalyClip.Server.Api;

/// <summary>The optional parts of an inspection response asked for with <c>return=overlay,mask,map</c>.</summary>
[Flags]
internal enum ResultParts
{
    None = 0,

    /// <summary>The heatmap blended over the image, PNG (base64).</summary>
    Overlay = 1,

    /// <summary>The binary defect mask at the pixel threshold, PNG (base64).</summary>
    Mask = 2,

    /// <summary>The raw anomaly map, rows of floats.</summary>
    Map = 4,
}

/// <summary>Parses the <c>return</c> query parameter.</summary>
internal static class ResultPartsParser
{
    public static bool TryParse(string? value, out ResultParts parts, out string? error)
    {
        parts = ResultParts.None;
        error = null;
        if (string.IsNullOrWhiteSpace(value)) return true;
        foreach (var name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            switch (name.ToLowerInvariant())
            {
                case "overlay": parts |= ResultParts.Overlay; break;
                case "mask": parts |= ResultParts.Mask; break;
                case "map": parts |= ResultParts.Map; break;
                default:
                    error = $"return: unknown part '{name}' (overlay, mask, map)";
                    return false;
            }
        }
        return true;
    }
}
