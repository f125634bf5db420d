using System.Text.Json.Nodes;
using AnomalyClip.Tests.Support;
using AnomalyClip.Training.Datasets;
using Xunit;

namespace AnomalyClip.Tests.Training.Datasets;

public class MetaJsonTests
{
    private static string GoldenTest => Golden.PathOf("dataset_test");

    [Fact]
    public void RoundTripIsByteIdenticalToReferenceFile()
    {
        var file = File.ReadAllText(Path.Combine(GoldenTest, "meta.json"));
        var dataset = MetaJsonDataset.Load(GoldenTest);

        Assert.Equal(["bottle", "screw"], dataset.ClassNames);
        Assert.Equal(MvtecDatasetTests.MetaRecords(Path.Combine(GoldenTest, "meta.json")), MvtecDatasetTests.Records(dataset));
        Assert.Equal(file, MetaJson.Serialize(dataset));
        Assert.Equal(file, MetaJson.Serialize(MvtecDataset.Load(GoldenTest, new DatasetLoadOptions { DiscoverClasses = true })));
    }

    [Fact]
    public void RoundTripOfOtherIndentationKeepsContent()
    {
        var path = Golden.PathOf("dataset_train", "meta.json");
        var dataset = MetaJsonDataset.Load(Golden.PathOf("dataset_train"));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(File.ReadAllText(path)), JsonNode.Parse(MetaJson.Serialize(dataset))));
        Assert.Empty(dataset.Train["screw"]);
    }

    [Fact]
    public void WriteGoesToRootAndLoadsBack()
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        File.Delete(tmp.PathOf("meta.json"));
        var dataset = MvtecDataset.Load(tmp.Root, new DatasetLoadOptions { DiscoverClasses = true });

        MetaJson.Write(dataset);

        Assert.Equal(File.ReadAllText(Path.Combine(GoldenTest, "meta.json")), File.ReadAllText(tmp.PathOf("meta.json")));
        Assert.Equal(["meta.json"], Directory.EnumerateFiles(tmp.Root).Select(Path.GetFileName));
        var back = MetaJsonDataset.Load(tmp.Root);
        Assert.Equal(dataset.Test["screw"], back.Test["screw"]);
        Assert.Equal(dataset.Train["bottle"], back.Train["bottle"]);
    }

    [Fact]
    public void StringsAreEscapedAsPythonEnsureAscii()
    {
        using var tmp = new TempDatasetDir();
        tmp.Png("café/good/a\"b.png");
        tmp.Png("café/bad\\x/1.png");
        var dataset = FolderDataset.Load(tmp.Root);
        var text = MetaJson.Serialize(dataset);

        Assert.Contains("\"caf\\u00e9\": [", text);
        Assert.Contains("\"img_path\": \"caf\\u00e9/good/a\\\"b.png\"", text);
        Assert.Contains("\"specie_name\": \"bad\\\\x\"", text);
        MetaJson.Write(dataset);
        Assert.Equal(dataset.Test["café"], MetaJsonDataset.Load(tmp.Root).Test["café"]);
    }

    private static DatasetException LoadBroken(string json, Action<TempDatasetDir>? prepare = null)
    {
        using var tmp = new TempDatasetDir();
        tmp.CopyTree(GoldenTest);
        prepare?.Invoke(tmp);
        tmp.Text("meta.json", json);
        return Assert.Throws<DatasetException>(() => MetaJsonDataset.Load(tmp.Root));
    }

    private static string Rec(string img = "bottle/test/good/000.png", string mask = "", string cls = "bottle", string anomaly = "0") =>
        $"{{\"img_path\": \"{img}\", \"mask_path\": \"{mask}\", \"cls_name\": \"{cls}\", \"specie_name\": \"good\", \"anomaly\": {anomaly}}}";

    [Theory]
    [InlineData("{\"train\": {}, \"test\": ", "malformed JSON")]
    [InlineData("[]", "top level must be an object")]
    [InlineData("{\"train\": {}}", "'test' must be an object")]
    [InlineData("{\"train\": {}, \"test\": {\"bottle\": {}}}", "test.bottle must be a list")]
    [InlineData("{\"train\": {}, \"test\": {\"bottle\": [1]}}", "test.bottle[0] must be an object")]
    [InlineData("{\"train\": {}, \"test\": {\"bottle\": [{\"img_path\": \"bottle/test/good/000.png\"}]}}", "test.bottle[0].mask_path must be a string")]
    public void MalformedStructureIsReported(string json, string message)
    {
        var e = LoadBroken(json);
        Assert.EndsWith("meta.json", e.FilePath);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void BadRecordValuesAreReported()
    {
        string Doc(string rec) => $"{{\"train\": {{}}, \"test\": {{\"bottle\": [{rec}]}}}}";
        Assert.Contains("test.bottle[0].anomaly must be 0 or 1", LoadBroken(Doc(Rec(anomaly: "2"))).Message);
        Assert.Contains("test.bottle[0].anomaly must be 0 or 1", LoadBroken(Doc(Rec(anomaly: "\"1\""))).Message);
        Assert.Contains("cls_name is 'screw' but the record is listed under 'bottle'", LoadBroken(Doc(Rec(cls: "screw"))).Message);
        Assert.Contains("is normal (anomaly 0) but has mask_path", LoadBroken(Doc(Rec(mask: "bottle/ground_truth/defect/000_mask.png"))).Message);
        Assert.Contains("img_path is empty", LoadBroken(Doc(Rec(img: ""))).Message);
    }

    [Fact]
    public void MissingReferencedFilesAreReported()
    {
        string Doc(string rec) => $"{{\"train\": {{}}, \"test\": {{\"bottle\": [{rec}]}}}}";
        var e = LoadBroken(Doc(Rec(img: "bottle/test/good/404.png")));
        Assert.EndsWith(Path.Combine("bottle", "test", "good", "404.png"), e.FilePath);
        Assert.Contains("image referenced by", e.Message);

        e = LoadBroken(Doc(Rec(img: "bottle/test/defect/000.png", mask: "bottle/ground_truth/defect/000_mask.png", anomaly: "1")),
            tmp => File.Delete(tmp.PathOf("bottle/ground_truth/defect/000_mask.png")));
        Assert.EndsWith("000_mask.png", e.FilePath);
        Assert.Contains("mask referenced by", e.Message);
    }

    [Fact]
    public void MissingMetaJsonIsReported()
    {
        using var tmp = new TempDatasetDir();
        var e = Assert.Throws<DatasetException>(() => MetaJsonDataset.Load(tmp.Root));
        Assert.Equal(tmp.PathOf("meta.json"), e.FilePath);
        Assert.Contains("meta.json not found", e.Message);
    }
}
