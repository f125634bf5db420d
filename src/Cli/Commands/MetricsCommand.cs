using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Training.Evaluation;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip metrics</c>: the paper's metrics for predictions made elsewhere (see <see cref="StoredPredictions"/>
/// for the file formats); prints the table and, with <c>--out</c>, writes results.md/csv/json and log.txt.
/// </summary>
internal static class MetricsCommand
{
    public static Command Build()
    {
        var maps = new Option<string>("--maps") { Description = "safetensors file with one float [H,W] map per image, named by the image's file stem.", Required = true };
        var masks = new Option<string>("--masks") { Description = "Folder of ground-truth masks <stem>.png or <stem>_mask.png; a missing mask = normal image (all zero).", Required = true };
        var scores = new Option<string>("--scores") { Description = "CSV with columns file,class,score[,label] (label 0/1; default: the mask has a defect pixel).", Required = true };
        var output = new Option<string?>("--out") { Description = "Folder for results.md, results.csv, results.json and log.txt." };
        var cmd = new Command("metrics", "Per-class pixel/image AUROC, F1-max, AP and AUPRO (APRIL-GAN's definitions) of stored maps and scores.")
        { maps, masks, scores, output };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var outDir = r.GetValue(output) is string dir ? OutputPaths.Folder("--out", dir) : null;
            var result = StoredPredictions.Evaluate(r.GetValue(maps)!, r.GetValue(masks)!, r.GetValue(scores)!);
            if (outDir is not null) result.WriteTo(outDir);
            Console.Write(result.Metrics.ToMarkdown());
            return 0;
        }));
        return cmd;
    }
}
