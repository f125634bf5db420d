namespace AnomalyClip.Server.Queue;

/// <summary>What became of a job offered to an <see cref="InferenceQueue"/>.</summary>
internal enum EnqueueOutcome
{
    /// <summary>Queued; its result will come.</summary>
    Accepted,

    /// <summary>The queue holds its limit of waiting jobs (HTTP 429).</summary>
    Full,

    /// <summary>The server is stopping and takes no new work (HTTP 503).</summary>
    Closed,
}
