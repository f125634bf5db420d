using AnomalyClip.Clip;

namespace AnomalyClip.Server.Configuration;

/// <summary>The server's config file, or one of the class specs in it, cannot be used; the message names the file and what is wrong.</summary>
public sealed class ServerConfigException : InputException
{
    /// <summary>Creates the exception for <paramref name="configSource"/> (a file, or a class of it).</summary>
    public ServerConfigException(string configSource, string message, Exception? inner = null)
        : base(configSource, message, inner)
    {
    }
}
