using System.Globalization;
using System.Text;
using System.Text.Json;
using AnomalyClip.Clip.IO;

namespace AnomalyClip.Training.Datasets;

/// <summary>
/// APRIL-GAN's dataset index <c>meta.json</c>: <c>{"train": {cls: [rec...]}, "test": {cls: [rec...]}}</c>, each record
/// holding <c>img_path</c> and <c>mask_path</c> (relative to the dataset root; <c>""</c> for no mask), <c>cls_name</c>,
/// <c>specie_name</c> (the defect type) and <c>anomaly</c> (0 or 1). Written exactly as the reference's
/// <c>json.dumps(info, indent=4) + "\n"</c> writes it, so a dataset exported here is byte-identical to the
/// reference's file for the same records.
/// </summary>
public static class MetaJson
{
    /// <summary>The conventional file name, read from and written to the dataset root.</summary>
    public const string FileName = "meta.json";

    private static readonly string[] Splits = ["train", "test"];

    /// <summary>The meta.json text of <paramref name="dataset"/>: splits train then test, classes in dataset order.</summary>
    public static string Serialize(AnomalyDataset dataset)
    {
        var sb = new StringBuilder();
        sb.Append('{');
        for (var s = 0; s < Splits.Length; s++)
        {
            sb.Append(s == 0 ? "\n    " : ",\n    ").Append(Quote(Splits[s])).Append(": ");
            var split = s == 0 ? dataset.Train : dataset.Test;
            if (split.Count == 0) { sb.Append("{}"); continue; }
            sb.Append('{');
            var firstClass = true;
            foreach (var (cls, samples) in split)
            {
                sb.Append(firstClass ? "\n        " : ",\n        ").Append(Quote(cls)).Append(": ");
                firstClass = false;
                if (samples.Count == 0) { sb.Append("[]"); continue; }
                sb.Append('[');
                for (var i = 0; i < samples.Count; i++)
                {
                    var r = samples[i];
                    sb.Append(i == 0 ? "\n            {" : ",\n            {");
                    Field(sb, "img_path", Quote(r.RelativeImagePath), first: true);
                    Field(sb, "mask_path", Quote(r.RelativeMaskPath ?? ""));
                    Field(sb, "cls_name", Quote(r.ClassName));
                    Field(sb, "specie_name", Quote(r.DefectType));
                    Field(sb, "anomaly", r.IsAnomaly ? "1" : "0");
                    sb.Append("\n            }");
                }
                sb.Append("\n        ]");
            }
            sb.Append("\n    }");
        }
        sb.Append("\n}\n");
        return sb.ToString();
    }

    /// <summary>
    /// Writes <see cref="Serialize"/> to <paramref name="path"/> (default <c>{dataset.Root}/meta.json</c>) atomically.
    /// The paths inside are relative to <see cref="AnomalyDataset.Root"/>, so a file written elsewhere only makes sense
    /// to readers told that root.
    /// </summary>
    public static void Write(AnomalyDataset dataset, string? path = null) =>
        AtomicFile.WriteAllText(path ?? Path.Combine(dataset.Root, FileName), Serialize(dataset));

    /// <summary>
    /// Reads a meta.json file; its folder is the dataset root. Class order is the order of first appearance (the
    /// train keys, then test keys not in train); a class missing from one split gets an empty list there. Unknown
    /// extra keys are ignored, as the reference does.
    /// </summary>
    /// <exception cref="DatasetException">The file is missing or not valid JSON, lacks a split, a record lacks a field or
    /// has a value of the wrong type, <c>cls_name</c> differs from the class key, a normal record has a mask, or a
    /// referenced image or mask file does not exist.</exception>
    public static AnomalyDataset Read(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new DatasetException(full, "meta.json not found");
        var root = Path.GetDirectoryName(full)!;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(full));
        }
        catch (JsonException e)
        {
            throw new DatasetException(full, $"malformed JSON ({e.Message})", e);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DatasetException(full, "top level must be an object with keys train and test");
            var classes = new List<string>();
            var splits = new Dictionary<string, IReadOnlyList<AnomalySample>>[2];
            for (var s = 0; s < Splits.Length; s++)
            {
                if (!doc.RootElement.TryGetProperty(Splits[s], out var split) || split.ValueKind != JsonValueKind.Object)
                    throw new DatasetException(full, $"'{Splits[s]}' must be an object mapping class names to record lists");
                splits[s] = new Dictionary<string, IReadOnlyList<AnomalySample>>(StringComparer.Ordinal);
                foreach (var cls in split.EnumerateObject())
                {
                    var where = $"{Splits[s]}.{cls.Name}";
                    if (cls.Value.ValueKind != JsonValueKind.Array) throw new DatasetException(full, $"{where} must be a list of records");
                    if (splits[s].ContainsKey(cls.Name)) throw new DatasetException(full, $"{where} appears twice");
                    splits[s][cls.Name] = cls.Value.EnumerateArray().Select((rec, i) => ReadRecord(full, root, $"{where}[{i}]", cls.Name, rec)).ToList();
                    if (!classes.Contains(cls.Name)) classes.Add(cls.Name);
                }
            }
            foreach (var split in splits)
                foreach (var cls in classes)
                    split.TryAdd(cls, []);
            return new AnomalyDataset(root, classes, splits[0], splits[1]);
        }
    }

    private static AnomalySample ReadRecord(string file, string root, string where, string cls, JsonElement rec)
    {
        if (rec.ValueKind != JsonValueKind.Object) throw new DatasetException(file, $"{where} must be an object");
        var img = RequireString(file, where, rec, "img_path");
        var mask = RequireString(file, where, rec, "mask_path");
        var clsName = RequireString(file, where, rec, "cls_name");
        var specie = RequireString(file, where, rec, "specie_name");
        if (!rec.TryGetProperty("anomaly", out var a) || a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out var anomaly) || anomaly is not (0 or 1))
            throw new DatasetException(file, $"{where}.anomaly must be 0 or 1");
        if (img.Length == 0) throw new DatasetException(file, $"{where}.img_path is empty");
        if (clsName != cls) throw new DatasetException(file, $"{where}.cls_name is '{clsName}' but the record is listed under '{cls}'");
        if (anomaly == 0 && mask.Length > 0) throw new DatasetException(file, $"{where} is normal (anomaly 0) but has mask_path '{mask}'");
        var imgPath = DatasetFiles.Absolute(root, img);
        if (!File.Exists(imgPath)) throw new DatasetException(imgPath, $"image referenced by {file} ({where}) not found");
        string? maskPath = null;
        if (mask.Length > 0)
        {
            maskPath = DatasetFiles.Absolute(root, mask);
            if (!File.Exists(maskPath)) throw new DatasetException(maskPath, $"mask referenced by {file} ({where}) not found");
        }
        return new AnomalySample(imgPath, maskPath, cls, specie, anomaly == 1, img, mask.Length > 0 ? mask : null);
    }

    private static string RequireString(string file, string where, JsonElement rec, string name) =>
        rec.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new DatasetException(file, $"{where}.{name} must be a string");

    private static void Field(StringBuilder sb, string name, string value, bool first = false) =>
        sb.Append(first ? "\n                " : ",\n                ").Append(Quote(name)).Append(": ").Append(value);

    /// <summary>A JSON string literal as Python's <c>json.dumps</c> (ensure_ascii) writes it.</summary>
    private static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    // UTF-16 code units are what Python escapes too (surrogate pairs as two \u escapes).
                    if (c < 0x20 || c > 0x7e) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }
}
