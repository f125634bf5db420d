using System.Text.Json.Nodes;
using AnomalyClip.Tests.Support;

namespace AnomalyClip.Tests.Clip.Preprocessing;

/// <summary>Golden image lists and hand-built image files for the preprocessing tests (written to temp folders).</summary>
internal static class TestImages
{
    /// <summary>golden/images/*.png in images.json order.</summary>
    public static IReadOnlyList<string> GoldenImages()
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Golden.PathOf("images", "images.json")))!;
        return json["images"]!.AsArray().Select(n => Golden.PathOf("images", (string)n!["file"]!)).ToList();
    }

    /// <summary>The golden mask file (images.json → masks[0]).</summary>
    public static string GoldenMask()
    {
        var json = (JsonObject)JsonNode.Parse(File.ReadAllText(Golden.PathOf("images", "images.json")))!;
        return Golden.PathOf("images", (string)json["masks"]![0]!["file"]!);
    }

    /// <summary>A fresh temp folder for one test.</summary>
    public static string TempDir() => Directory.CreateTempSubdirectory("preprocess-").FullName;
}
