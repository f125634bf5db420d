namespace AnomalyClip.Training.Evaluation;

/// <summary>Reported by <see cref="EvaluationRun"/> after each test image has been scored.</summary>
/// <param name="ClassName">Class of the image.</param>
/// <param name="ClassIndex">0-based position of the class among the evaluated classes.</param>
/// <param name="ClassCount">Number of evaluated classes.</param>
/// <param name="ImageInClass">1-based number of the image within its class.</param>
/// <param name="ImagesInClass">Test images of the class.</param>
/// <param name="ImagesDone">Images scored so far over all classes (including this one).</param>
/// <param name="ImagesTotal">Test images of all evaluated classes.</param>
/// <param name="RelativeImagePath">The image's path relative to the dataset root.</param>
public readonly record struct EvaluationProgress(
    string ClassName, int ClassIndex, int ClassCount, int ImageInClass, int ImagesInClass, int ImagesDone, int ImagesTotal,
    string RelativeImagePath);
