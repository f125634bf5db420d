namespace AnomalyClip.Clip;

/// <summary>
/// The base of every "this input is wrong" error of the libraries: a file, folder or value the caller gave cannot be
/// used (missing, truncated, corrupt, of another format, too large, or not fitting what it is used with). The message
/// starts with <see cref="Subject"/> and says what is wrong, so it can be shown to a user as it is. Anything else that
/// escapes the libraries is a bug.
/// </summary>
public abstract class InputException : Exception
{
    /// <summary>Creates the exception; the message is "<paramref name="subject"/>: <paramref name="message"/>".</summary>
    protected InputException(string subject, string message, Exception? inner = null)
        : base($"{subject}: {message}", inner) => Subject = subject;

    /// <summary>The file, folder or value the problem is in.</summary>
    public string Subject { get; }
}
