using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Visualization;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Inference.Visualization;

public class HeatmapOverlayTests
{
    // SHA-256 of the RGB bytes that APRIL-GAN's test.py code path produces for PatternMap(48) over each golden image:
    // vis = cvtColor(cv2.resize(cv2.imread(p), (48, 48)), BGR2RGB); apply_ad_scoremap(vis, normalize(map)),
    // run with OpenCV 4.6.0 and numpy 1.24.2.
    [Theory]
    [InlineData("bottle/test/defect/000.png", "fcafabf0d125b194907b26e20d676529c4c0a43f3f6a242515ea17fe01352d84")]
    [InlineData("screw/test/defect/001.png", "190a688559979818641675238dccb2472c80b9c7d28a094550f3d2dd9195bc69")]
    [InlineData("bottle/test/good/000.png", "1f81ba843b8ef4481be7953369a3825108385e78fba7dda6bd3e4d3b003d634a")]
    public void Paper_style_overlay_matches_test_py_bit_for_bit(string relative, string sha256)
    {
        var image = OverlayTestImages.Golden(relative.Split('/'));
        using var overlay = HeatmapOverlay.Render(image, OverlayTestImages.PatternMap(48));
        Assert.Equal((48, 48), (overlay.Width, overlay.Height));
        Assert.Equal(sha256, OverlayTestImages.Sha256(overlay));
    }

    [Fact]
    public void Original_size_mode_resizes_the_map_to_the_image()
    {
        var image = OverlayTestImages.Golden("bottle", "test", "good", "000.png");
        Assert.Equal((120, 90), (image.Width, image.Height));
        using var overlay = HeatmapOverlay.Render(image, OverlayTestImages.PatternMap(48), new HeatmapOverlayOptions { Size = OverlaySize.Original });
        Assert.Equal((120, 90), (overlay.Width, overlay.Height));
    }

    [Fact]
    public void Original_size_mode_colours_the_bilinearly_upsampled_map()
    {
        // 2×2 map [0 0; 1 1] → 4×4 (align_corners false): rows 0, 0.25, 0.75, 1 → levels 0, 63, 191, 255.
        var black = new DecodedImage(4, 4, ImageMode.Rgb, new byte[48]);
        var map = new AnomalyMap(2, 2, [0f, 0f, 1f, 1f]);
        using var overlay = HeatmapOverlay.Render(black, map, new HeatmapOverlayOptions { Size = OverlaySize.Original });
        Rgb24[] rows = [new(0, 0, 64), new(0, 62, 127), new(127, 64, 0), new(64, 0, 0)]; // ⌊JET/2⌋
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(rows[y], overlay[x, y]);
    }

    [Fact]
    public void Blend_is_the_truncated_mean_of_image_and_heatmap()
    {
        // Map [0 1; 2 3], per image → levels 0, 85, 170, 255 → JET (0,0,128), (0,212,255), (255,212,0), (128,0,0).
        var image = new DecodedImage(2, 2, ImageMode.Rgb, [10, 20, 30, 255, 255, 255, 0, 0, 0, 101, 51, 3]);
        var map = new AnomalyMap(2, 2, [0f, 1f, 2f, 3f]);
        using var overlay = HeatmapOverlay.Render(image, map);
        Assert.Equal(new byte[] { 5, 10, 79, 127, 233, 255, 127, 106, 0, 114, 25, 1 }, OverlayTestImages.Bytes(overlay));
    }

    [Fact]
    public void Image_weight_one_and_zero_show_image_or_heatmap_only()
    {
        var image = new DecodedImage(2, 2, ImageMode.Rgb, [10, 20, 30, 255, 255, 255, 0, 0, 0, 101, 51, 3]);
        var map = new AnomalyMap(2, 2, [0f, 1f, 2f, 3f]);
        using var imageOnly = HeatmapOverlay.Render(image, map, new HeatmapOverlayOptions { ImageWeight = 1 });
        Assert.Equal(image.Pixels.ToArray(), OverlayTestImages.Bytes(imageOnly));
        using var heatOnly = HeatmapOverlay.Render(image, map, new HeatmapOverlayOptions { ImageWeight = 0 });
        using var heat = HeatmapOverlay.Heatmap(map);
        Assert.Equal(OverlayTestImages.Bytes(heat), OverlayTestImages.Bytes(heatOnly));
        Assert.Throws<ArgumentException>(() => HeatmapOverlay.Render(image, map, new HeatmapOverlayOptions { ImageWeight = 1.5 }));
    }

    [Fact]
    public void Constant_map_with_per_image_scale_is_one_colour_without_NaN()
    {
        var map = new AnomalyMap(5, 3, new float[15]);
        Assert.All(HeatmapOverlay.Levels(map, HeatmapScale.PerImage), l => Assert.Equal(0, l));
        using var heat = HeatmapOverlay.Heatmap(map);
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 5; x++)
                Assert.Equal(new Rgb24(0, 0, 128), heat[x, y]);
    }

    [Fact]
    public void Fixed_scale_clamps_and_does_not_stretch_a_flat_normal_map()
    {
        var map = new AnomalyMap(4, 1, [-1f, 0f, 2f, 5f]);
        Assert.Equal(new byte[] { 0, 0, 127, 255 }, HeatmapOverlay.Levels(map, HeatmapScale.Fixed(0, 4)));
        // A low, almost flat map: per image it spans the whole colour map, on a fixed 0..4 scale it stays cool.
        var normal = new AnomalyMap(2, 1, [0.40f, 0.44f]);
        Assert.Equal(new byte[] { 0, 255 }, HeatmapOverlay.Levels(normal, HeatmapScale.PerImage));
        Assert.Equal(new byte[] { 25, 28 }, HeatmapOverlay.Levels(normal, HeatmapScale.Fixed(0, 4)));
    }

    [Theory]
    [InlineData(1.0, 1.0)]
    [InlineData(2.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(0.0, double.PositiveInfinity)]
    public void Fixed_scale_rejects_empty_or_non_finite_ranges(double min, double max) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => HeatmapScale.Fixed(min, max));

    [Fact]
    public void Non_finite_map_values_are_rejected()
    {
        var map = new AnomalyMap(2, 1, [0f, float.NaN]);
        Assert.Throws<ArgumentException>(() => HeatmapOverlay.Heatmap(map));
    }

    [Fact]
    public void Grey_and_rgba_sources_become_rgb()
    {
        var map = new AnomalyMap(1, 1, [0f]); // per image: bottom colour (0, 0, 128)
        var grey = new DecodedImage(1, 1, ImageMode.Grey, [100]);
        using var g = HeatmapOverlay.Render(grey, map);
        Assert.Equal(new Rgb24(50, 50, 114), g[0, 0]);
        var rgba = new DecodedImage(1, 1, ImageMode.Rgba, [100, 50, 20, 0]);
        using var c = HeatmapOverlay.Render(rgba, map);
        Assert.Equal(new Rgb24(50, 25, 74), c[0, 0]);
    }

    [Fact]
    public void Result_overload_checks_that_the_image_is_the_results_source()
    {
        var image = OverlayTestImages.Golden("bottle", "test", "good", "000.png");
        var map = OverlayTestImages.PatternMap(48);
        using var viaResult = HeatmapOverlay.Render(image, OverlayTestImages.Result(map, 120, 90));
        using var viaMap = HeatmapOverlay.Render(image, map);
        Assert.Equal(OverlayTestImages.Bytes(viaMap), OverlayTestImages.Bytes(viaResult));
        Assert.Throws<ArgumentException>(() => HeatmapOverlay.Render(image, OverlayTestImages.Result(map, 100, 100)));
    }

    [Fact]
    public void SavePng_writes_a_decodable_rgb_png_without_leftovers()
    {
        var dir = Directory.CreateTempSubdirectory("overlay-");
        try
        {
            var image = OverlayTestImages.Golden("screw", "test", "defect", "001.png");
            using var overlay = HeatmapOverlay.Render(image, OverlayTestImages.PatternMap(48));
            string path = Path.Combine(dir.FullName, "sub", "overlay.png");
            overlay.SavePng(path);
            var decoded = new ImageDecoder().Decode(path);
            Assert.Equal((48, 48, ImageMode.Rgb), (decoded.Width, decoded.Height, decoded.Mode));
            Assert.Equal(OverlayTestImages.Bytes(overlay), decoded.Pixels.ToArray());
            Assert.Equal(["overlay.png"], Directory.GetFiles(Path.Combine(dir.FullName, "sub")).Select(Path.GetFileName));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
