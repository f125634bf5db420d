namespace AnomalyClip.Cli.Infrastructure;

/// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread, in order (System.Progress posts to the pool).</summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
