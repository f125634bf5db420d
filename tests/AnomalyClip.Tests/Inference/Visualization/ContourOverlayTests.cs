using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Detection;
using AnomalyClip.Inference.Visualization;
using SixLabors.ImageSharp.PixelFormats;
using Xunit;

namespace AnomalyClip.Tests.Inference.Visualization;

public class ContourOverlayTests
{
    private static byte[] Square(int width, int height, int x0, int y0, int side)
    {
        var mask = new byte[width * height];
        for (int y = y0; y < y0 + side; y++)
            for (int x = x0; x < x0 + side; x++)
                mask[y * width + x] = 1;
        return mask;
    }

    [Fact]
    public void Contour_of_a_5x5_square_is_its_16_pixel_ring()
    {
        var outline = ContourOverlay.Boundary(Square(9, 9, 2, 2, 5), 9, 9);
        Assert.Equal(16, outline.Count(b => b != 0));
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 9; x++)
            {
                bool inSquare = x >= 2 && x <= 6 && y >= 2 && y <= 6;
                bool onRing = inSquare && (x == 2 || x == 6 || y == 2 || y == 6);
                Assert.Equal(onRing ? 1 : 0, outline[y * 9 + x]);
            }
    }

    [Fact]
    public void Thickness_grows_the_outline_inward()
    {
        var outline = ContourOverlay.Boundary(Square(9, 9, 2, 2, 5), 9, 9, thickness: 2);
        Assert.Equal(24, outline.Count(b => b != 0)); // all but the centre pixel
        Assert.Equal(0, outline[4 * 9 + 4]);
        Assert.Equal(25, ContourOverlay.Boundary(Square(9, 9, 2, 2, 5), 9, 9, thickness: 3).Count(b => b != 0));
    }

    [Fact]
    public void Regions_touching_the_image_edge_are_closed_there()
    {
        var full = Enumerable.Repeat((byte)1, 16).ToArray();
        var outline = ContourOverlay.Boundary(full, 4, 4);
        Assert.Equal(12, outline.Count(b => b != 0));
        Assert.Equal(new byte[] { 0, 0 }, new[] { outline[5], outline[6] });
    }

    [Fact]
    public void Diagonal_line_is_its_own_boundary()
    {
        var mask = new byte[16];
        for (int i = 0; i < 4; i++) mask[i * 4 + i] = 1;
        Assert.Equal(mask, ContourOverlay.Boundary(mask, 4, 4));
    }

    [Fact]
    public void Draw_colours_only_the_outline_of_the_original_size_image()
    {
        var image = OverlayTestImages.Golden("screw", "test", "defect", "001.png"); // 100×100 grey
        var mask = Square(100, 100, 40, 30, 5);
        var blue = new Rgb24(0, 0, 255);
        using var drawn = ContourOverlay.Render(image, mask, blue);
        Assert.Equal((100, 100), (drawn.Width, drawn.Height));
        var outline = ContourOverlay.Boundary(mask, 100, 100);
        for (int y = 0; y < 100; y++)
            for (int x = 0; x < 100; x++)
            {
                byte grey = image.Pixels[y * 100 + x];
                var expected = outline[y * 100 + x] != 0 ? blue : new Rgb24(grey, grey, grey);
                Assert.Equal(expected, drawn[x, y]);
            }
    }

    [Fact]
    public void Result_overload_outlines_the_thresholded_original_size_mask_in_red()
    {
        var image = new DecodedImage(4, 4, ImageMode.Rgb, new byte[48]);
        var map = new AnomalyMap(2, 2, [0f, 0f, 1f, 1f]); // 4×4 rows 0, 0.25, 0.75, 1 → > 0.5: bottom two rows
        using var drawn = ContourOverlay.Render(image, OverlayTestImages.Result(map, 4, 4), 0.5);
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 4; x++)
                Assert.Equal(y >= 2 ? ContourOverlay.DefaultColor : new Rgb24(0, 0, 0), drawn[x, y]);
        Assert.Throws<ArgumentException>(() => ContourOverlay.Render(image, OverlayTestImages.Result(map, 5, 4), 0.5));
    }

    [Fact]
    public void Bad_sizes_and_thickness_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ContourOverlay.Boundary(new byte[5], 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ContourOverlay.Boundary(new byte[4], 2, 2, thickness: 0));
    }
}
