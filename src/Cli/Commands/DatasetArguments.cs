using System.CommandLine;
using AnomalyClip.Training.Datasets;

namespace AnomalyClip.Cli.Commands;

/// <summary>The dataset options shared by <c>train</c> and <c>test</c>.</summary>
internal sealed class DatasetArguments
{
    public readonly Option<string> Dataset;
    public readonly Option<string> DataPath;
    public readonly Option<bool> Discover;
    public readonly Option<string?> Classes;

    /// <summary>The options, named with <paramref name="prefix"/> (e.g. "val-" for a validation set, then optional).</summary>
    public DatasetArguments(string prefix = "")
    {
        bool required = prefix.Length == 0;
        Dataset = new($"--{prefix}dataset") { Description = "mvtec, visa, meta (APRIL-GAN meta.json) or folder (good/ + defect folders).", Required = required };
        DataPath = new($"--{prefix}data-path") { Description = "Dataset root.", Required = required };
        Discover = new($"--{prefix}discover-classes") { Description = "Use the class folders present instead of the paper's class list (mvtec, visa)." };
        Classes = new($"--{prefix}class-name") { Description = "Only these classes, comma-separated." };
    }

    /// <summary>Whether the dataset was given (always, for the unprefixed required options).</summary>
    public bool Given(ParseResult r) => r.GetValue(DataPath) is not null;

    public void AddTo(Command command)
    {
        command.Options.Add(Dataset);
        command.Options.Add(DataPath);
        command.Options.Add(Discover);
        command.Options.Add(Classes);
    }

    /// <summary>The --class-name filter, or null for every class.</summary>
    public string[]? ClassFilter(ParseResult r) => r.GetValue(Classes)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Loads and validates the dataset (headers of every image and mask are checked).</summary>
    public AnomalyDataset Load(ParseResult r)
    {
        var root = r.GetValue(DataPath)!;
        var only = ClassFilter(r);
        var options = new DatasetLoadOptions { Classes = only, DiscoverClasses = only is null && r.GetValue(Discover) };
        var dataset = r.GetValue(Dataset)!.ToLowerInvariant() switch
        {
            "mvtec" => MvtecDataset.Load(root, options),
            "visa" => VisaDataset.Load(root, options),
            "meta" => MetaJsonDataset.Load(root),
            "folder" => FolderDataset.Load(root),
            var other => throw new ArgumentException($"--dataset: unknown dataset '{other}' (mvtec, visa, meta, folder)"),
        };
        dataset.Validate();
        return dataset;
    }
}
