namespace AnomalyClip.Server.Web;

/// <summary>The inspection page served at <c>/</c>: one self-contained HTML file (no build step), embedded in the assembly.</summary>
internal static class WebPage
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(WebPage).Assembly.GetManifestResourceStream("AnomalyClip.Server.index.html")
            ?? throw new InvalidOperationException("the embedded page AnomalyClip.Server.index.html is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    public static string Html => Page.Value;
}
