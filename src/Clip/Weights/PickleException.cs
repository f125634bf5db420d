namespace AnomalyClip.Clip.Weights;

/// <summary>A pickle program is malformed or asks for something the loader refuses (e.g. a global off the allow-list).</summary>
internal sealed class PickleException(string message) : Exception(message);
