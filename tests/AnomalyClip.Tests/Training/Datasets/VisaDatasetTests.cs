using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class VisaDatasetTests
{
    private const string Header = "object,split,label,image,mask\n";

    private const string Rows =
        "candle,train,normal,candle/Data/Images/Normal/0000.png,\n" +
        "candle,test,anomaly,candle/Data/Images/Anomaly/000.png,candle/Data/Masks/Anomaly/000.png\n" +
        "pcb1,test,normal,pcb1/Data/Images/Normal/0001.png,\n" +
        "candle,test,normal,candle/Data/Images/Normal/0001.png,\n" +
        "pcb1,test,anomaly,pcb1/Data/Images/Anomaly/001.png,pcb1/Data/Masks/Anomaly/001.png\n" +
        "candle,train,normal,candle/Data/Images/Normal/0002.png,\n";

    /// <summary>A tiny VisA layout made of golden PNGs, with the given split file.</summary>
    private static TempDatasetDir Build(string csv = Header + Rows)
    {
        var tmp = new TempDatasetDir();
        string G(string rel) => Golden.PathOf("dataset_test", rel);
        void Copy(string from, string to)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(tmp.PathOf(to))!);
            File.Copy(G(from), tmp.PathOf(to));
        }
        Copy("bottle/train/good/000.png", "candle/Data/Images/Normal/0000.png");
        Copy("bottle/test/good/000.png", "candle/Data/Images/Normal/0001.png");
        Copy("bottle/train/good/001.png", "candle/Data/Images/Normal/0002.png");
        Copy("bottle/test/defect/000.png", "candle/Data/Images/Anomaly/000.png");
        Copy("bottle/ground_truth/defect/000_mask.png", "candle/Data/Masks/Anomaly/000.png");
        Copy("screw/test/good/001.png", "pcb1/Data/Images/Normal/0001.png");
        Copy("screw/test/defect/001.png", "pcb1/Data/Images/Anomaly/001.png");
        Copy("screw/ground_truth/defect/001_mask.png", "pcb1/Data/Masks/Anomaly/001.png");
        tmp.Text(VisaDataset.SplitCsv, csv);
        return tmp;
    }

    [Fact]
    public void RowsAreReadPerClassAndSplitInCsvOrder()
    {
        using var tmp = Build();
        var dataset = VisaDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true });

        Assert.Equal(["candle", "pcb1"], dataset.ClassNames);
        Assert.Equal(["candle/Data/Images/Normal/0000.png", "candle/Data/Images/Normal/0002.png"],
            dataset.Train["candle"].Select(s => s.RelativeImagePath));
        Assert.Equal(["candle/Data/Images/Anomaly/000.png", "candle/Data/Images/Normal/0001.png"],
            dataset.Test["candle"].Select(s => s.RelativeImagePath));
        Assert.Empty(dataset.Train["pcb1"]);

        var anomaly = dataset.Test["candle"][0];
        Assert.True(anomaly.IsAnomaly);
        Assert.Equal("", anomaly.DefectType);
        Assert.Equal("candle/Data/Masks/Anomaly/000.png", anomaly.RelativeMaskPath);
        Assert.Equal(tmp.PathOf("candle/Data/Masks/Anomaly/000.png"), anomaly.MaskPath);
        var normal = dataset.Test["candle"][1];
        Assert.False(normal.IsAnomaly);
        Assert.Null(normal.MaskPath);
        Assert.Null(normal.RelativeMaskPath);
        dataset.Validate();
    }

    [Fact]
    public void ExportedMetaJsonHasReferenceRecords()
    {
        using var tmp = Build();
        var dataset = VisaDataset.Load(tmp.Root, new DatasetLoadOptions { Classes = ["pcb1"] });
        Assert.Equal(
            "{\n    \"train\": {\n        \"pcb1\": []\n    },\n    \"test\": {\n        \"pcb1\": [\n" +
            "            {\n                \"img_path\": \"pcb1/Data/Images/Normal/0001.png\",\n                \"mask_path\": \"\",\n" +
            "                \"cls_name\": \"pcb1\",\n                \"specie_name\": \"\",\n                \"anomaly\": 0\n            },\n" +
            "            {\n                \"img_path\": \"pcb1/Data/Images/Anomaly/001.png\",\n" +
            "                \"mask_path\": \"pcb1/Data/Masks/Anomaly/001.png\",\n                \"cls_name\": \"pcb1\",\n" +
            "                \"specie_name\": \"\",\n                \"anomaly\": 1\n            }\n        ]\n    }\n}\n",
            MetaJson.Serialize(dataset));
    }

    [Fact]
    public void PaperClassListNeedsEveryClass()
    {
        using var tmp = Build();
        var e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root));
        Assert.Equal(tmp.PathOf(VisaDataset.SplitCsv), e.FilePath);
        Assert.Contains("class 'capsules' has no rows", e.Message);
        Assert.Equal(12, VisaDataset.ClassNames.Count);
    }

    [Fact]
    public void MissingCsvIsReported()
    {
        using var tmp = new TempDatasetDir();
        var e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root));
        Assert.Equal(tmp.PathOf(VisaDataset.SplitCsv), e.FilePath);
        Assert.Contains("split file not found", e.Message);
    }

    [Fact]
    public void MissingColumnIsReported()
    {
        using var tmp = Build("object,split,label,image\ncandle,train,normal,candle/Data/Images/Normal/0000.png\n");
        var e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf(VisaDataset.SplitCsv), e.FilePath);
        Assert.Contains("missing column(s) mask", e.Message);
    }

    [Theory]
    [InlineData("candle,val,normal,candle/Data/Images/Normal/0000.png,\n", "data row 1: split is 'val'")]
    [InlineData("candle,train,good,candle/Data/Images/Normal/0000.png,\n", "data row 1: label is 'good'")]
    [InlineData("candle,test,anomaly,candle/Data/Images/Anomaly/000.png,\n", "data row 1: anomalous image candle/Data/Images/Anomaly/000.png has no mask")]
    [InlineData("candle,test,normal\n", "data row 1 has 3 fields")]
    [InlineData("candle,test,normal,,\n", "data row 1: image is empty")]
    public void BadRowsAreReported(string row, string message)
    {
        using var tmp = Build(Header + row);
        var e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf(VisaDataset.SplitCsv), e.FilePath);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void MissingReferencedFilesAreReported()
    {
        using var tmp = Build(Header + Rows + "candle,test,anomaly,candle/Data/Images/Anomaly/000.png,candle/Data/Masks/Anomaly/404.png\n");
        var e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true }));
        Assert.Equal(tmp.PathOf("candle/Data/Masks/Anomaly/404.png"), e.FilePath);
        Assert.Contains("data row 7", e.Message);

        File.Delete(tmp.PathOf("pcb1/Data/Images/Normal/0001.png"));
        e = Assert.Throws<DatasetException>(() => VisaDataset.Load(tmp.Root, new DatasetLoadOptions { Classes = ["pcb1"] }));
        Assert.Equal(tmp.PathOf("pcb1/Data/Images/Normal/0001.png"), e.FilePath);
        Assert.Contains("not found", e.Message);
    }
}
