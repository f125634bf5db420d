using System.Text.Json.Serialization;

namespace AnomalyClip.Training.Evaluation;

/// <summary>
/// The manifest of one finished shard of an <see cref="EvaluationRun"/> (<see cref="EvaluationRun.RunShard"/>), saved
/// as <see cref="ShardManifest.FileName"/> in the shard's folder after everything else: which of the run's test images the
/// shard scored, what the detector made of each (scores, text probability, map maximum; the maps themselves are in
/// <see cref="MapsFile"/> beside it), the references every class used and the run's settings. That is all
/// <see cref="ShardedEvaluation.Merge"/> needs to compute the metrics of the whole run.
/// </summary>
public sealed record EvaluationShard
{
    /// <summary>The <see cref="Kind"/> of an evaluation shard's manifest.</summary>
    public const string KindName = "test";

    /// <summary>The file beside the manifest holding the shard's maps, float32 [S,S], named by <see cref="EvaluationShardImage.Map"/>.</summary>
    public const string MapsFile = "maps.safetensors";

    private const int CurrentFormat = 1;

    /// <summary>What wrote the manifest: <see cref="KindName"/>.</summary>
    public string Kind { get; init; } = KindName;

    /// <summary>Version of this file's layout.</summary>
    public int Format { get; init; } = CurrentFormat;

    /// <summary>Which part of the run this is.</summary>
    public required Shard Shard { get; init; }

    /// <summary>Absolute path of the dataset root; image and mask paths are relative to it.</summary>
    public required string DatasetRoot { get; init; }

    /// <summary>Side S of the detector's square maps.</summary>
    public required int MapSize { get; init; }

    /// <summary>Whether image scores are transductive, i.e. computed by the merge over each whole class.</summary>
    public required bool Transductive { get; init; }

    /// <summary>The run's settings in logging order, exactly as an unsharded run records them.</summary>
    [JsonConverter(typeof(OrderedSettingsJsonConverter))]
    public required IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; }

    /// <summary>Every class of the run (not only those this shard touched), in evaluation order.</summary>
    public required IReadOnlyList<EvaluationShardClass> Classes { get; init; }

    /// <summary>Lines of the run's k-shot file that belong to no evaluated class (see <see cref="FewShotReferences.IgnoredLines"/>).</summary>
    public required int IgnoredKShotLines { get; init; }

    /// <summary>Test images of the whole run, over all classes.</summary>
    public required int ImagesTotal { get; init; }

    /// <summary><see cref="Shard.Fingerprint"/> of the run's whole image list (class and relative path of each image, in order).</summary>
    public required string ImagesFingerprint { get; init; }

    /// <summary>The images this shard scored, in run order.</summary>
    public required IReadOnlyList<EvaluationShardImage> Images { get; init; }

    /// <summary>Reads the manifest of the shard whose output folder is <paramref name="directory"/>.</summary>
    /// <exception cref="InvalidDataException">The folder has no manifest (the shard did not finish, or it is not a shard's
    /// folder), or the manifest is not an evaluation shard's.</exception>
    public static EvaluationShard Read(string directory) => ShardManifest.Read<EvaluationShard>(directory, KindName, CurrentFormat);

    /// <summary>Writes the manifest into <paramref name="directory"/>, atomically.</summary>
    internal void Write(string directory) => ShardManifest.Write(directory, this);
}
