namespace AnomalyClip.Inference.Visualization;

/// <summary>Which resolution a heatmap overlay is drawn at.</summary>
public enum OverlaySize
{
    /// <summary>
    /// The map's own resolution (S×S, the model input side): the source image is resized to it with OpenCV-style
    /// bilinear interpolation, as APRIL-GAN's <c>test.py</c> does (<c>cv2.resize(img, (S, S))</c>).
    /// </summary>
    Model,

    /// <summary>The source image's resolution: the map is resized bilinearly to it (<see cref="Detection.AnomalyMap.Resize"/>).</summary>
    Original,
}
