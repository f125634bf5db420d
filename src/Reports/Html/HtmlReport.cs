using System.Globalization;
using System.Reflection;

namespace AnomalyClip.Reports.Html;

/// <summary>The whole page: head with inline CSS, header with settings, class navigation, metric table, class sections.</summary>
internal static class HtmlReport
{
    /// <summary>Writes the page for <paramref name="input"/>.</summary>
    public static void Write(TextWriter w, ReportInput input, ReportOptions options)
    {
        var when = (options.GeneratedAt ?? DateTimeOffset.Now).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);
        string title = Html.Escape(input.Title);
        w.Write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        w.Write("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        w.Write($"<meta name=\"generator\" content=\"AnomalyClip.Reports {Version()}\">\n");
        w.Write($"<title>{title}</title>\n<style>\n{ReportStyles.Css}</style>\n</head>\n<body>\n<main>\n");

        w.Write($"<header>\n<p class=\"kicker\">AnomalyClip evaluation report</p>\n<h1>{title}</h1>\n");
        int images = input.Classes.Sum(c => c.Images.Count);
        int anomalous = input.Classes.Sum(c => c.Images.Count(i => i.IsAnomalous));
        w.Write($"<p class=\"sub\">{Html.Escape(when)} · {input.Classes.Count} classes · {images} images ({anomalous} anomalous)</p>\n");
        Settings(w, input.Settings);
        w.Write("</header>\n");

        if (input.Classes.Count > 0)
        {
            w.Write("<nav class=\"classes\">");
            for (int i = 0; i < input.Classes.Count; i++)
                w.Write($"<a href=\"#class-{i}\">{Html.Escape(input.Classes[i].Name)}</a>");
            w.Write("</nav>\n");
        }

        w.Write("<section class=\"summary\">\n<h2>Metrics</h2>\n");
        MetricTable.Write(w, input);
        w.Write("</section>\n");

        for (int i = 0; i < input.Classes.Count; i++) ClassSection.Write(w, input.Classes[i], i, options);

        w.Write($"<footer>Written by AnomalyClip.Reports {Version()}. Self-contained: every image is embedded.</footer>\n");
        w.Write("</main>\n</body>\n</html>\n");
    }

    private static void Settings(TextWriter w, IReadOnlyList<KeyValuePair<string, string>> settings)
    {
        if (settings.Count == 0) return;
        w.Write("<details class=\"settings\" open><summary>Settings</summary>\n<table class=\"kv\"><tbody>\n");
        foreach (var (key, value) in settings)
            w.Write($"<tr><th scope=\"row\">{Html.Escape(key)}</th><td>{Html.Escape(value)}</td></tr>\n");
        w.Write("</tbody></table></details>\n");
    }

    private static string Version() =>
        Html.Escape(typeof(HtmlReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "");
}
