using System.Net;

namespace AnomalyClip.Reports.Html;

/// <summary>HTML text helpers.</summary>
internal static class Html
{
    /// <summary>
    /// Escapes <paramref name="text"/> for element content and double-quoted attribute values (&amp; &lt; &gt; " ').
    /// Every string that comes from the report input goes through here.
    /// </summary>
    public static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A <c>data:</c> URI holding <paramref name="bytes"/> as base64.</summary>
    public static string DataUri(string mediaType, byte[] bytes) => $"data:{mediaType};base64,{Convert.ToBase64String(bytes)}";
}
