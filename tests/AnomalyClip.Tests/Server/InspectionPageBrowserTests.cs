using System.Diagnostics;
using AnomalyClip.Server;
using AnomalyClip.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Xunit;
using Xunit.Abstractions;
using static AnomalyClip.Tests.Server.ServerFixture;

namespace AnomalyClip.Tests.Server;

/// <summary>
/// The web page in a real browser: headless Chromium driven by Selenium against the app on a real loopback port
/// (Kestrel). Needs Debian's <c>chromium</c> and <c>chromium-driver</c> (.ci/run installs both); without them the test
/// fails and says so.
/// </summary>
public class InspectionPageBrowserTests(ITestOutputHelper output)
{
    private const string Browser = "/usr/bin/chromium";
    private const string Driver = "/usr/bin/chromedriver";

    [Fact]
    public async Task UploadingAnImageShowsItsScoreOverlayAndMask()
    {
        foreach (var (path, package) in new[] { (Browser, "chromium"), (Driver, "chromium-driver") })
            Assert.True(File.Exists(path), $"{path} is missing: the browser test needs Debian's chromium and chromium-driver (apt-get install -y {package})");

        await using var app = InspectionServer.Build(new ServerOptions(), ["--urls", "http://127.0.0.1:0"], _ => Classes(),
            builder => builder.Logging.SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Warning));
        await app.StartAsync();
        await WaitReadyAsync(app);
        var url = app.Urls.Single();

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(Driver)!, Path.GetFileName(Driver));
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = Browser };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--window-size=1280,1000");
        using var driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        driver.Navigate().GoToUrl(url);

        // The class list comes from /v1/detectors; pick the hazelnut class as a user would, then choose a file.
        Until(driver, () => driver.FindElement(By.Id("class-select")).Enabled, "the class list to load");
        driver.FindElement(By.CssSelector($"#class-select option[value='{Hazelnut}']")).Click();
        driver.FindElement(By.Id("file-input")).SendKeys(Sample(Hazelnut, "test", "colour", "01.png"));

        Until(driver, () => driver.FindElement(By.Id("score")).Text != "–", "the score to be shown");
        var js = (IJavaScriptExecutor)driver;
        Until(driver, () => Convert.ToInt64(js.ExecuteScript("return document.getElementById('overlay').naturalWidth")) > 0, "the overlay to load");
        Until(driver, () => Convert.ToInt64(js.ExecuteScript("return document.getElementById('mask').naturalWidth")) > 0, "the mask to load");

        var expected = Detector.Predict(Sample(Hazelnut, "test", "colour", "01.png"), Hazelnut);
        Assert.Equal(expected.Score.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), driver.FindElement(By.Id("score")).Text);
        Assert.Equal(expected.Score > Thresholds.Image ? "anomalous" : "normal", driver.FindElement(By.Id("label")).Text);
        Assert.Equal(224L, Convert.ToInt64(js.ExecuteScript("return document.getElementById('overlay').naturalWidth")));
        Assert.Single(driver.FindElements(By.CssSelector("#history li")));
        Assert.Empty(driver.FindElement(By.Id("error")).Text);

        // The test artefact: kept beside the test binaries (the temporary folder is removed when the run ends).
        var screenshot = Path.Combine(Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName, "inspection-page.png");
        driver.GetScreenshot().SaveAsFile(screenshot);
        output.WriteLine($"screenshot: {screenshot}");
        await app.StopAsync();
    }

    private static void Until(IWebDriver driver, Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                if (condition()) return;
            }
            catch (WebDriverException)
            {
                // Not there yet (element missing or stale): poll again.
            }
            Thread.Sleep(100);
        }
        var error = driver.FindElements(By.Id("error")).FirstOrDefault()?.Text;
        Assert.Fail($"timed out waiting for {what}; page error: '{error}'");
    }
}
