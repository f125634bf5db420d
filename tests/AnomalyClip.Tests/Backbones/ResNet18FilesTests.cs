using AnomalyClip.Backbones;
using AnomalyClip.Clip;
using AnomalyClip.Tests.Clip.Hub;
using Xunit;

namespace AnomalyClip.Tests.Backbones;

/// <summary>The build puts the package's model files next to a referencing project, and the runtime finds them there.</summary>
[Collection(ResNet18Collection.Name)]
public sealed class ResNet18FilesTests(ResNet18Fixture fixture)
{
    [Fact]
    public void Build_CopiesThePackageFiles_InThePackageLayout()
    {
        var model = new FileInfo(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
        var preprocess = new FileInfo(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        Assert.Equal(63_653_533, model.Length);
        Assert.Equal(602_584, preprocess.Length);
        Assert.Equal(model.FullName, fixture.ModelPath);
        Assert.Equal(preprocess.FullName, fixture.PreprocessPath);
    }

    [Fact]
    public void Locate_WithNothingThere_ListsEveryPlaceSearched()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        var e = Assert.Throws<ModelLoadException>(() => ResNet18Files.Locate(null, [a.Path, b.Path]));
        Assert.Equal(Path.Combine(a.Path, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"), e.FilePath);
        Assert.Contains(Path.Combine(b.Path, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"), e.Message);
    }

    [Fact]
    public void Locate_PrefersTheFirstFolderThatHasTheModel()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        string model = Touch(b.Sub("DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
        string preprocess = Touch(b.Sub("DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        Touch(a.Sub("DnnImageModels", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        Assert.Equal(new ResNet18Files(model, preprocess), ResNet18Files.Locate(null, [a.Path, b.Path]));
    }

    [Fact]
    public void Locate_ExplicitModel_TakesThePreprocessingFromThePackageLayoutBesideIt()
    {
        using var dir = new TempDirectory();
        string model = Touch(dir.Sub("models", "ResNet18Onnx", "mine.onnx"));
        var e = Assert.Throws<ModelLoadException>(() => ResNet18Files.Locate(model, []));
        Assert.Contains(dir.Sub("models", "ResNetPrepOnnx", "ResNetPreprocess.onnx"), e.Message);
        Assert.Contains(dir.Sub("models", "ResNet18Onnx", "ResNetPreprocess.onnx"), e.Message);

        string preprocess = Touch(dir.Sub("models", "ResNetPrepOnnx", "ResNetPreprocess.onnx"));
        Assert.Equal(new ResNet18Files(model, preprocess), ResNet18Files.Locate(model, []));
    }

    [Fact]
    public void DefaultFolders_StartWithTheAssemblyFolder() =>
        Assert.Equal(Path.GetDirectoryName(typeof(IFeatureBackbone).Assembly.Location), ResNet18Files.DefaultFolders()[0]);

    private static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, []);
        return path;
    }
}
