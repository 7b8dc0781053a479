using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Triage.Testing;

namespace Triage.E2E.ScaleOut;

/// <summary>
/// The app as a separate process (<c>dotnet src/Triage.Web/bin/…/Triage.Web.dll</c>) on a free loopback port, so a test
/// can kill it with SIGKILL in the middle of its work. Its console output is kept, to wait for a line and to show on failure.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private AppProcess(Process process, string baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }
    public int Pid => _process.Id;
    public string Output => string.Join('\n', _output);

    /// <summary>The web app's build output beside this test's (same configuration).</summary>
    public static string AppDll
    {
        get
        {
            // …/tests/Triage.E2E/bin/<Configuration>/net10.0/
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var configuration = tfm.Parent!.Name;
            var dll = Path.Combine(TestPaths.RepoRoot, "src", "Triage.Web", "bin", configuration, tfm.Name, "Triage.Web.dll");
            if (!File.Exists(dll)) throw new FileNotFoundException($"build the solution first: {dll} is missing");
            return dll;
        }
    }

    public static async Task<AppProcess> StartAsync(IDictionary<string, string> settings)
    {
        var port = FreePort();
        var url = $"http://127.0.0.1:{port}";
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = TestPaths.RepoRoot };
        psi.ArgumentList.Add(AppDll);
        psi.Environment["ASPNETCORE_URLS"] = url;
        psi.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        psi.Environment["Logging__LogLevel__Default"] = "Information";
        psi.Environment.Remove("TRIAGE_DB");
        foreach (var (k, v) in settings) psi.Environment[k.Replace(":", "__", StringComparison.Ordinal)] = v;
        var process = Process.Start(psi)!;
        var app = new AppProcess(process, url);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) app._output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitReadyAsync(TimeSpan.FromSeconds(90));
        return app;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(5) };
        var until = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < until)
        {
            if (_process.HasExited) throw new InvalidOperationException($"the app exited ({_process.ExitCode}):\n{Output}");
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(300);
        }
        throw new TimeoutException($"the app at {BaseUrl} was not ready within {timeout}:\n{Output}");
    }

    /// <summary>Waits for a line of console output containing <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, TimeSpan timeout) =>
        ScaleOut.WaitAsync(() => Task.FromResult(_output.Any(l => l.Contains(text, StringComparison.Ordinal)) ? "seen" : null), timeout, $"output '{text}'");

    /// <summary>SIGKILL: no shutdown, no cleanup, as when a node dies.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
        }
        _process.Dispose();
    }
}
