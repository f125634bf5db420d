using System.CommandLine;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Server;
using AnomalyClip.Server.Configuration;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip serve</c>: the HTTP inspection service and its web page (<see cref="InspectionServer"/>). Without
/// <c>--config</c> it serves the offline ResNet-18 few-shot detector over the bundled sample classes.
/// </summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public static Command Build()
    {
        var config = new Option<string?>("--config") { Description = "Server config JSON (classes with their detector specs, limits); default: the offline ResNet-18 over the bundled samples." };
        var dataPath = new Option<string?>("--data-path") { Description = "Without --config: an MVTec-layout folder to serve instead of the bundled samples (k = 4 references of each class's train/good)." };
        var urls = new Option<string>("--urls") { Description = "Where to listen (ASP.NET Core's --urls; ';' between several).", DefaultValueFactory = _ => DefaultUrls };
        var device = new Option<string?>("--device") { Description = "Device of the detectors (cpu, cuda, cuda:N); overrides the config's." };
        var batchLimit = new Option<int?>("--batch-limit") { Description = "Most images of one class per forward pass (1 = no micro-batching; default 8)." }.Between(1, 1024);
        var queueLimit = new Option<int?>("--queue-limit") { Description = "Requests that may wait per device before 429 (default 64)." }.Between(1, 100_000);
        var cmd = new Command("serve", "HTTP inspection service with a web page: POST /v1/inspect, GET /v1/detectors, /healthz, /readyz, /metrics, /openapi/v1.json.")
        { config, dataPath, urls, device, batchLimit, queueLimit };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var options = Options(r.GetValue(config), r.GetValue(dataPath));
            options = options with
            {
                Device = r.GetValue(device) ?? options.Device,
                BatchLimit = r.GetValue(batchLimit) ?? options.BatchLimit,
                QueueLimit = r.GetValue(queueLimit) ?? options.QueueLimit,
            };
            using var app = InspectionServer.Build(options, ["--urls", r.GetValue(urls)!]);
            Console.WriteLine($"serving {options.Classes.Count} class(es) ({string.Join(", ", options.Classes.Keys)}) on {r.GetValue(urls)}; detectors load in the background (/readyz)");
            app.Run();
            return 0;
        }));
        return cmd;
    }

    /// <summary>The config file's options, or the offline detector over <paramref name="dataPath"/> (default: the bundled samples).</summary>
    public static ServerOptions Options(string? configFile, string? dataPath)
    {
        if (configFile is not null && dataPath is not null) throw new ArgumentException("give --config or --data-path, not both");
        return configFile is not null ? ServerOptions.Load(configFile) : ServerOptions.ForSamples(Path.GetFullPath(dataPath ?? SampleData.Locate()));
    }
}
