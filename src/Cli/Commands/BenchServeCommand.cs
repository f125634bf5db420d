using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AnomalyClip.Cli.Infrastructure;
using AnomalyClip.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace AnomalyClip.Cli.Commands;

/// <summary>
/// <c>anomalyclip bench serve</c>: a bounded load test of the inspection service. Starts it in-process on a free
/// loopback port with the offline detector over the bundled samples, sends every test image of every class in turn
/// (raw PNG bodies) from <c>--concurrency</c> clients, and prints the error count, latency percentiles, throughput and
/// how many forward passes served the requests.
/// </summary>
internal static class BenchServeCommand
{
    public static Command Build()
    {
        var requests = new Option<int>("--requests") { Description = "Timed requests.", DefaultValueFactory = _ => 2000 }.Between(1, 10_000_000);
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 8 }.Between(1, 4096);
        var noBatching = new Option<bool>("--no-batching") { Description = "One image per forward pass (batch limit 1)." };
        var returnParts = new Option<string?>("--return") { Description = "Response extras each request asks for, e.g. overlay,mask (default: none, scores only)." };
        var dataPath = new Option<string?>("--data-path") { Description = "An MVTec-layout folder instead of the bundled samples." };
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var cmd = new Command("serve", "Load test of the inspection service in-process on loopback: errors, p50/p99 latency, throughput, forward passes.")
        { requests, concurrency, noBatching, returnParts, dataPath, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            int n = r.GetValue(requests), c = r.GetValue(concurrency);
            var result = Run(n, c, r.GetValue(noBatching), r.GetValue(returnParts), r.GetValue(dataPath)).GetAwaiter().GetResult();
            if (r.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, BenchJson.Options));
            else Print(result);
            return result.Errors == 0 ? 0 : 1;
        }));
        return cmd;
    }

    internal sealed record ServeBench(int Requests, int Concurrency, bool Batching, int BatchLimit, string? Return, int Errors, IReadOnlyDictionary<string, int> Statuses,
        double P50Ms, double P99Ms, double MeanMs, double RequestsPerSecond, double WallSeconds, double ForwardPasses, double ImagesPerPass, double PeakMemoryMib);

    private static async Task<ServeBench> Run(int requests, int concurrency, bool noBatching, string? parts, string? dataPath)
    {
        var options = ServeCommand.Options(null, dataPath);
        // The queue must hold every client's request, so the figures measure latency, not 429s.
        options = options with { BatchLimit = noBatching ? 1 : options.BatchLimit, QueueLimit = Math.Max(options.QueueLimit, concurrency) };
        var images = TestImages(options.Classes.Keys, Path.GetFullPath(dataPath ?? SampleData.Locate()));
        await using var app = InspectionServer.Build(options, ["--urls", "http://127.0.0.1:0"], configure: b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };
        await WaitReady(http);
        var query = parts is null ? "" : "&return=" + Uri.EscapeDataString(parts);

        // Warm-up: the first passes of each batch size allocate; not timed.
        await Fire(http, images, 2 * concurrency, concurrency, query);
        double passesBefore = await ForwardPasses(http);
        var watch = Stopwatch.StartNew();
        var (latencies, statuses) = await Fire(http, images, requests, concurrency, query);
        double wall = watch.Elapsed.TotalSeconds;
        double passes = await ForwardPasses(http) - passesBefore;
        await app.StopAsync();

        Array.Sort(latencies);
        int errors = statuses.Where(kv => kv.Key != "200").Sum(kv => kv.Value);
        return new ServeBench(requests, concurrency, !noBatching, options.BatchLimit, parts, errors, statuses,
            Percentile(latencies, 0.50), Percentile(latencies, 0.99), latencies.Average(), requests / wall, wall, passes, requests / passes,
            ProcessMemory.PeakResidentBytes() / (1024.0 * 1024.0));
    }

    private static async Task<(double[] Latencies, Dictionary<string, int> Statuses)> Fire(HttpClient http, IReadOnlyList<(string Class, byte[] Png)> images,
        int requests, int concurrency, string query)
    {
        var latencies = new double[requests];
        var statuses = new Dictionary<string, int>();
        await Parallel.ForEachAsync(Enumerable.Range(0, requests), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, cancel) =>
        {
            var (cls, png) = images[i % images.Count];
            using var content = new ByteArrayContent(png);
            content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            var sw = Stopwatch.StartNew();
            string status;
            try
            {
                using var response = await http.PostAsync($"/v1/inspect?class={Uri.EscapeDataString(cls)}{query}", content, cancel);
                await response.Content.ReadAsByteArrayAsync(cancel);
                status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException e)
            {
                status = e.GetType().Name;
            }
            latencies[i] = sw.Elapsed.TotalMilliseconds;
            lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
        });
        return (latencies, statuses);
    }

    private static IReadOnlyList<(string Class, byte[] Png)> TestImages(IEnumerable<string> classes, string root)
    {
        var perClass = classes.Select(cls => Directory.GetFiles(Path.Combine(root, cls, "test"), "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal).Select(f => (cls, File.ReadAllBytes(f))).ToArray()).ToArray();
        // Interleaved: consecutive requests alternate classes, as independent clients' would.
        var images = new List<(string, byte[])>();
        for (int i = 0; i < perClass.Max(p => p.Length); i++)
            foreach (var p in perClass)
                if (i < p.Length) images.Add(p[i]);
        return images.Count > 0 ? images : throw new ArgumentException($"{root}: no test/**/*.png images");
    }

    private static async Task WaitReady(HttpClient http)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            using var ready = await http.GetAsync("/readyz");
            if (ready.IsSuccessStatusCode) return;
            var body = await ready.Content.ReadAsStringAsync();
            if (body.Contains("\"failed\"", StringComparison.Ordinal) || watch.Elapsed > TimeSpan.FromMinutes(10))
                throw new InvalidOperationException($"the server did not become ready: {body}");
            await Task.Delay(200);
        }
    }

    // The _count of the batch-size histogram: one per forward pass.
    private static async Task<double> ForwardPasses(HttpClient http)
    {
        var text = await http.GetStringAsync("/metrics");
        return text.Split('\n').Where(l => l.StartsWith("anomalyclip_inference_batch_size_count", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    private static double Percentile(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static void Print(ServeBench b)
    {
        Console.WriteLine($"bench serve: {b.Requests} requests, {b.Concurrency} concurrent, micro-batching {(b.Batching ? $"on (batch limit {b.BatchLimit})" : "off")}" +
            (b.Return is null ? "" : $", return={b.Return}"));
        Console.WriteLine($"  errors        {b.Errors} ({string.Join(", ", b.Statuses.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {kv.Value}"))})");
        Console.WriteLine($"  latency       p50 {b.P50Ms:F1} ms, p99 {b.P99Ms:F1} ms, mean {b.MeanMs:F1} ms");
        Console.WriteLine($"  throughput    {b.RequestsPerSecond:F1} requests/s ({b.WallSeconds:F1} s)");
        Console.WriteLine($"  forward passes {b.ForwardPasses:F0} ({b.ImagesPerPass:F2} images per pass)");
        Console.WriteLine($"  peak resident memory {b.PeakMemoryMib:F0} MiB");
    }
}
