using AnomalyClip.Clip.Preprocessing;
using AnomalyClip.Inference.Visualization;
using Xunit;

namespace AnomalyClip.Tests.Inference.Visualization;

/// <summary>Expected bytes come from <c>cv2.resize(img, (w, h))</c> (INTER_LINEAR) of OpenCV 4.6.0.</summary>
public class LinearResizeTests
{
    [Fact]
    public void Shrinking_matches_cv2_resize_exactly()
    {
        var image = new ImageDecoder().Decode(Support.Golden.PathOf("images", "small_rgb_20x30.png"));
        Assert.Equal((20, 30, ImageMode.Rgb), (image.Width, image.Height, image.Mode));
        // cv2.cvtColor(cv2.resize(cv2.imread(p), (7, 5)), cv2.COLOR_BGR2RGB).reshape(-1)
        byte[] expected =
        [
            40, 114, 170, 184, 86, 72, 168, 75, 108, 165, 55, 122, 74, 74, 176, 105, 152, 152, 112, 72, 114, 102, 139, 73,
            140, 151, 183, 153, 128, 118, 139, 127, 59, 113, 144, 132, 61, 122, 156, 159, 118, 53, 117, 20, 195, 176, 62,
            115, 113, 148, 130, 107, 107, 148, 112, 122, 75, 88, 170, 167, 238, 40, 133, 70, 99, 126, 124, 139, 130, 72,
            142, 71, 186, 121, 87, 120, 46, 81, 146, 107, 174, 100, 67, 45, 81, 165, 149, 74, 156, 144, 74, 86, 66, 210,
            112, 117, 73, 78, 121, 76, 68, 141, 170, 120, 129,
        ];
        Assert.Equal(expected, LinearResize.Resize(image.Pixels, 20, 30, 3, 7, 5));
    }

    [Fact]
    public void Enlarging_interpolates_between_centres_and_replicates_edges()
    {
        // 2×1 grey → 4×1: centres at x = 0.5 and 1.5 of the source; cv2 gives 10, 35, 85, 110 for [10, 110].
        byte[] src = [10, 110];
        Assert.Equal(new byte[] { 10, 35, 85, 110 }, LinearResize.Resize(src, 2, 1, 1, 4, 1));
    }

    [Fact]
    public void Same_size_is_a_copy()
    {
        byte[] src = [1, 2, 3, 4, 5, 6];
        var copy = LinearResize.Resize(src, 2, 1, 3, 2, 1);
        Assert.Equal(src, copy);
        Assert.NotSame(src, copy);
    }
}
