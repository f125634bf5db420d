using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using AnomalyClip.Clip.IO;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// The manifest every finished shard writes last into its output folder, <see cref="FileName"/>: a JSON object
/// whose <c>kind</c> names what wrote it (<c>predict</c>, <c>test</c>) and whose <c>format</c> is its layout version.
/// Its presence is what tells a merge that the shard finished.
/// </summary>
public static class ShardManifest
{
    /// <summary>The manifest's file name.</summary>
    public const string FileName = "shard.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // A local file, never embedded in HTML: relaxed escaping keeps paths and class names readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The <c>kind</c> of the manifest in <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The folder has no manifest (the shard did not finish, or it is not a shard's folder) or it is not a manifest.</exception>
    public static string Kind(string directory)
    {
        using var json = Parse(directory, out var path);
        return json.RootElement.TryGetProperty("kind", out var kind) && kind.ValueKind == JsonValueKind.String
            ? kind.GetString()!
            : throw new InvalidDataException($"{path}: not a shard manifest (no kind)");
    }

    /// <summary>Reads the manifest in <paramref name="directory"/> as a <typeparamref name="T"/>, after checking its kind and format.</summary>
    /// <exception cref="InvalidDataException">No manifest, another kind or format, or a malformed one.</exception>
    public static T Read<T>(string directory, string kind, int format)
    {
        using var json = Parse(directory, out var path);
        var root = json.RootElement;
        var actual = root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        if (actual != kind) throw new InvalidDataException($"{path}: a '{actual}' shard, not a '{kind}' shard");
        if (!root.TryGetProperty("format", out var f) || f.ValueKind != JsonValueKind.Number || f.GetInt32() != format)
            throw new InvalidDataException($"{path}: manifest format {f}, this AnomalyClip reads format {format}");
        try
        {
            return root.Deserialize<T>(Json) ?? throw new JsonException("null manifest");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: malformed '{kind}' shard manifest ({e.Message})", e);
        }
    }

    /// <summary>Writes <paramref name="manifest"/> into <paramref name="directory"/>, atomically.</summary>
    public static void Write<T>(string directory, T manifest) =>
        AtomicFile.Write(Path.Combine(directory, FileName), s => JsonSerializer.Serialize(s, manifest, Json));

    private static JsonDocument Parse(string directory, out string path)
    {
        path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
            throw new InvalidDataException($"{directory}: no {FileName}: the shard did not finish (it writes {FileName} last) or this is not a shard's output folder");
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a shard manifest ({e.Message})", e);
        }
    }
}
