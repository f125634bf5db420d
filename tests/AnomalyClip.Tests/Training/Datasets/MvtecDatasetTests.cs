using System.Globalization;
using System.Text.Json.Nodes;
using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using CsvHelper;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class MvtecDatasetTests
{
    private static string GoldenTest => Golden.PathOf("dataset_test");
    private static string RealAd => Golden.Samples;

    /// <summary>The records of a meta.json file, parsed independently of <see cref="MetaJson"/>.</summary>
    internal static List<(string Split, string Cls, string Img, string Mask, string ClsName, string Specie, int Anomaly)> MetaRecords(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var list = new List<(string, string, string, string, string, string, int)>();
        foreach (var split in new[] { "train", "test" })
            foreach (var (cls, recs) in root[split]!.AsObject())
                foreach (var r in recs!.AsArray())
                    list.Add((split, cls, (string)r!["img_path"]!, (string)r["mask_path"]!, (string)r["cls_name"]!,
                        (string)r["specie_name"]!, (int)r["anomaly"]!));
        return list;
    }

    internal static List<(string Split, string Cls, string Img, string Mask, string ClsName, string Specie, int Anomaly)> Records(AnomalyDataset d) =>
        new[] { ("train", d.Train), ("test", d.Test) }
            .SelectMany(s => s.Item2.SelectMany(kv => kv.Value.Select(r =>
                (s.Item1, kv.Key, r.RelativeImagePath, r.RelativeMaskPath ?? "", r.ClassName, r.DefectType, r.IsAnomaly ? 1 : 0))))
            .ToList();

    [Fact]
    public void GoldenFolderReproducesItsMetaJsonRecordsInOrder()
    {
        var dataset = MvtecDataset.Load(GoldenTest, new DatasetLoadOptions { DiscoverClasses = true });

        Assert.Equal(["bottle", "screw"], dataset.ClassNames);
        var expected = MetaRecords(Path.Combine(GoldenTest, "meta.json"));
        Assert.Equal(14, expected.Count);
        Assert.Equal(expected, Records(dataset));
        var defect = dataset.Test["screw"][3];
        Assert.Equal(Path.Combine(GoldenTest, "screw", "test", "defect", "001.png"), defect.ImagePath);
        Assert.Equal(Path.Combine(GoldenTest, "screw", "ground_truth", "defect", "001_mask.png"), defect.MaskPath);
        Assert.All(dataset.Test.Values.SelectMany(s => s).Where(s => !s.IsAnomaly), s => Assert.Null(s.MaskPath));
        dataset.Validate();
    }

    [Fact]
    public void ExplicitClassListSetsOrder()
    {
        var dataset = MvtecDataset.Load(GoldenTest, new DatasetLoadOptions { Classes = ["screw", "bottle"] });
        Assert.Equal(["screw", "bottle"], dataset.ClassNames);
        Assert.Equal(["screw", "bottle"], dataset.Test.Keys);
        Assert.Equal("screw/test/good/000.png", dataset.Test.Values.First()[0].RelativeImagePath);
    }

    [Fact]
    public void PaperClassListNamesTheFirstMissingClassFolder()
    {
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(GoldenTest));
        Assert.Equal(Path.Combine(GoldenTest, "cable"), e.FilePath);
        Assert.Contains("class folder 'cable' not found", e.Message);
        Assert.Equal(15, MvtecDataset.ClassNames.Count);
        Assert.Equal("bottle", MvtecDataset.ClassNames[0]);
        Assert.Equal("zipper", MvtecDataset.ClassNames[14]);
    }

    [Fact]
    public void ClassesAndDiscoverCannotBeCombined() =>
        Assert.Throws<ArgumentException>(() =>
            MvtecDataset.Load(GoldenTest, new DatasetLoadOptions { Classes = ["bottle"], DiscoverClasses = true }));

    [Fact]
    public void MissingTrainFolderGivesEmptyTrainSplit()
    {
        var dataset = MvtecDataset.Load(Golden.PathOf("dataset_train"), new DatasetLoadOptions { DiscoverClasses = true });
        Assert.Equal(MetaRecords(Golden.PathOf("dataset_train", "meta.json")), Records(dataset));
        Assert.Empty(dataset.Train["bottle"]);
    }

    [Fact]
    public void RealAdMatchesManifestPairingAndCounts()
    {
        var dataset = MvtecDataset.Load(RealAd, new DatasetLoadOptions { DiscoverClasses = true });
        Assert.Equal(["hazelnut_toy", "paper_bdp01"], dataset.ClassNames);

        var manifest = new List<(string Cat, string Split, string Label, string Defect, string Image, string Mask)>();
        using (var csv = CsvReader.FromFile(Path.Combine(RealAd, "manifest.csv"),
                   new CsvReaderOptions { HasHeader = true, FormatProvider = CultureInfo.InvariantCulture }))
            while (csv.Read())
                manifest.Add((csv.GetString("category"), csv.GetString("split"), csv.GetString("label"), csv.GetString("defect"),
                    csv.GetString("image"), csv.GetString("mask")));
        Assert.Equal(56, manifest.Count);

        var loaded = Records(dataset);
        Assert.Equal(56, loaded.Count);
        var byImage = loaded.ToDictionary(r => r.Img);
        foreach (var m in manifest)
        {
            var r = byImage[m.Image];
            Assert.Equal((m.Cat, m.Split, m.Mask, m.Label == "anomalous" ? 1 : 0), (r.Cls, r.Split, r.Mask, r.Anomaly));
            Assert.Equal(m.Label == "anomalous" ? m.Defect : "good", r.Specie);
        }
        Assert.Equal((10, 8, 10), Counts(dataset, "hazelnut_toy"));
        Assert.Equal((10, 8, 10), Counts(dataset, "paper_bdp01"));
        // Order: good first, then defect folders by name, files by name.
        Assert.Equal(["good", "colour"], dataset.Test["hazelnut_toy"].Select(s => s.DefectType).Distinct());
        Assert.Equal("hazelnut_toy/test/good/31.png", dataset.Test["hazelnut_toy"][7].RelativeImagePath);
        dataset.Validate();
    }

    private static (int Train, int TestNormal, int TestAnomalous) Counts(AnomalyDataset d, string cls) =>
        (d.Train[cls].Count, d.Test[cls].Count(s => !s.IsAnomaly), d.Test[cls].Count(s => s.IsAnomaly));

    [Fact]
    public void MissingRootIsReported()
    {
        var missing = Path.Combine(Path.GetTempPath(), "anomalyclip-no-such-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(missing));
        Assert.Equal(missing, e.FilePath);
        Assert.Contains("dataset root folder not found", e.Message);
    }

    [Fact]
    public void EmptyClassIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        Directory.CreateDirectory(tmp.PathOf("cable/test"));
        var e = Assert.Throws<DatasetException>(() =>
            MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { Classes = ["bottle", "cable"] }));
        Assert.Equal(tmp.PathOf("cable"), e.FilePath);
        Assert.Contains("class has no images", e.Message);
    }

    [Fact]
    public void EmptyDefectFolderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        Directory.CreateDirectory(tmp.PathOf("bottle/test/crack"));
        tmp.Text("bottle/test/crack/notes.txt", "not an image");
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("bottle/test/crack"), e.FilePath);
        Assert.Contains("holds no images", e.Message);
    }

    [Fact]
    public void MissingMaskNamesTheImage()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        File.Delete(tmp.PathOf("screw/ground_truth/defect/000_mask.png"));
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("screw/test/defect/000.png"), e.FilePath);
        Assert.Contains("has no mask", e.Message);
    }

    [Fact]
    public void MissingMaskFolderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        Directory.Delete(tmp.PathOf("bottle/ground_truth"), recursive: true);
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("bottle/ground_truth/defect"), e.FilePath);
        Assert.Contains("mask folder not found", e.Message);
    }

    [Fact]
    public void ExtraMaskNamesTheMask()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        tmp.Mask("bottle/ground_truth/defect/007_mask.png");
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("bottle/ground_truth/defect/007_mask.png"), e.FilePath);
        Assert.Contains("mask has no image", e.Message);
    }

    [Fact]
    public void MaskFolderWithoutImageFolderIsReported()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        tmp.Mask("bottle/ground_truth/crack/000_mask.png");
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("bottle/ground_truth/crack"), e.FilePath);
        Assert.Contains("masks without images", e.Message);
    }

    [Fact]
    public void SortedPairingThatWouldMislabelIsReported()
    {
        // Sorted: images 1.png < 10.png, masks 10_mask.png < 1_mask.png: the reference's index pairing swaps them.
        using var tmp = new TempDatasetDir();
        tmp.Png("c/test/good/0.png");
        tmp.Png("c/test/hole/1.png");
        tmp.Png("c/test/hole/10.png");
        tmp.Mask("c/ground_truth/hole/1_mask.png");
        tmp.Mask("c/ground_truth/hole/10_mask.png");
        var e = Assert.Throws<DatasetException>(() => MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("c/ground_truth/hole/10_mask.png"), e.FilePath);
        Assert.Contains("names do not match", e.Message);
    }

    [Fact]
    public void HiddenAndNonImageFilesAreSkipped()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        tmp.Text("bottle/test/good/.DS_Store", "x");
        tmp.Text("bottle/test/good/Thumbs.db", "x");
        tmp.Text("bottle/ground_truth/defect/readme.txt", "x");
        var dataset = MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true });
        Assert.Equal(MetaRecords(Path.Combine(GoldenTest, "meta.json")), Records(dataset));
    }
}
