namespace AnomalyClip.Training.Trainer;

/// <summary>One optimiser step's report.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Total epochs.</param>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps per epoch.</param>
/// <param name="Loss">This step's total loss.</param>
/// <param name="MeanEpochLoss">Mean loss of the epoch so far.</param>
/// <param name="Elapsed">Time since this run (or resume) started.</param>
/// <param name="Remaining">Estimated time to the end of training.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double MeanEpochLoss, TimeSpan Elapsed, TimeSpan Remaining);
