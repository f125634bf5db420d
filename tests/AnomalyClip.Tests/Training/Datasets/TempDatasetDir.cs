using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace AnomalyClip.Tests.Training.Datasets;

/// <summary>A scratch folder under the system temp folder for building (broken) dataset layouts; deleted on dispose.</summary>
internal sealed class TempDatasetDir : IDisposable
{
    public TempDatasetDir() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "anomalyclip-datasets-" + Guid.NewGuid().ToString("N"));

    public string PathOf(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Writes an RGB PNG whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public string Png(string relative, int width, int height, Func<int, int, Rgb24> pixel)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = pixel(x, y);
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>Writes a solid-colour RGB PNG.</summary>
    public string Png(string relative, int width = 8, int height = 6, byte shade = 128) =>
        Png(relative, width, height, (_, _) => new Rgb24(shade, (byte)(255 - shade), 7));

    /// <summary>Writes a grey-level mask PNG whose pixel (x, y) is <paramref name="value"/>(x, y).</summary>
    public string Mask(string relative, int width, int height, Func<int, int, byte> value)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<L8>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = new L8(value(x, y));
        image.SaveAsPng(path);
        return path;
    }

    /// <summary>Writes a mask that is 255 on the left half.</summary>
    public string Mask(string relative, int width = 8, int height = 6) =>
        Mask(relative, width, height, (x, _) => x < width / 2 ? (byte)255 : (byte)0);

    public string Text(string relative, string content)
    {
        var path = PathOf(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Copies a folder tree into this one under <paramref name="relative"/>.</summary>
    public string CopyTree(string source, string relative = "")
    {
        var target = PathOf(relative);
        foreach (var dir in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, dir)));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
            File.Copy(file, Path.Combine(target, Path.GetRelativePath(source, file)));
        return target;
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
