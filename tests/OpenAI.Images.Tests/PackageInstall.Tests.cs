using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;

namespace OpenAI.Images.Tests;

/// <summary>
/// What build.ps1 -Task Package makes installs as users install it: published to a local folder repository with
/// Publish-PSResource, installed from it with Install-Module (PowerShellGet) into a fresh HOME, imported by name in a
/// new pwsh, and working. Runs on the repository's pwsh (the dotnet local tool).
/// </summary>
public sealed class PackageInstallTests : EngineTest
{
    public PackageInstallTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void ThePackageInstallsWithInstallModuleFromAFolderRepositoryAndWorks()
    {
        string packageRoot = Path.Combine(Temp, "package");
        string repository = Path.Combine(Temp, "repository");
        string home = Path.Combine(Temp, "home");
        Directory.CreateDirectory(repository);
        Directory.CreateDirectory(home);

        // The pwsh of .config/dotnet-tools.json, found through the real HOME (its NuGet cache) before HOME moves.
        (int code, string pwshDll) = Run("dotnet", null, "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-Command", "[Environment]::GetCommandLineArgs()[0]");
        Assert.True(code == 0, pwshDll);
        pwshDll = pwshDll.Trim().Split('\n').Last().Trim();

        // Debug: the configuration the tests have already built, so this adds no Release compile to the test run.
        (code, string packaged) = Run("dotnet", null, pwshDll, "-NoProfile", "-NonInteractive", "-File", Path.Combine(ModuleHost.RepoRoot, "build.ps1"),
            "-Task", "Package", "-Configuration", "Debug", "-OutputPath", packageRoot);
        Assert.True(code == 0, packaged);
        string version = Directory.GetDirectories(Path.Combine(packageRoot, "OpenAI.Images")).Select(Path.GetFileName).Single()!;
        Assert.True(File.Exists(Path.Combine(packageRoot, $"OpenAI.Images-{version}.zip")), packaged);

        string script = string.Join("\n",
            "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'",
            $"Register-PSResourceRepository -Name LocalTest -Uri {ModuleHost.Quote(repository)} -Trusted",
            $"Publish-PSResource -Path {ModuleHost.Quote(Path.Combine(packageRoot, "OpenAI.Images", version))} -Repository LocalTest",
            $"Register-PSRepository -Name LocalGet -SourceLocation {ModuleHost.Quote(repository)} -InstallationPolicy Trusted",
            "Install-Module -Name OpenAI.Images -Repository LocalGet -Scope CurrentUser",
            "$module = Import-Module -Name OpenAI.Images -PassThru",
            "$image = New-OpenAIImage -Prompt 'from the installed module'",
            "'BASE=' + $module.ModuleBase",
            "'VERSION=' + $module.Version",
            "'INDEX=' + $image.Index",
            "'BYTES=' + $image.Data.Length");
        (code, string installed) = Run("dotnet", home, pwshDll, "-NoProfile", "-NonInteractive", "-Command", script);

        Assert.True(code == 0, installed);
        string Value(string name) => installed.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..];
        Assert.Equal(Path.Combine(home, ".local", "share", "powershell", "Modules", "OpenAI.Images", version), Value("BASE"));
        Assert.Equal(version, Value("VERSION"));
        Assert.Equal("0", Value("INDEX"));
        Assert.True(int.Parse(Value("BYTES"), System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Single(Fake.ApiRequests);
        Assert.True(File.Exists(Path.Combine(repository, $"OpenAI.Images.{version}.nupkg")));
    }

    private static (int ExitCode, string Output) Run(string program, string? home, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = ModuleHost.RepoRoot,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (home != null)
        {
            start.Environment["HOME"] = home;
            start.Environment["XDG_DATA_HOME"] = null;
            start.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
            start.Environment["XDG_CACHE_HOME"] = null;
            // PSModulePath from this process would point the new pwsh at the test host's module folders.
            start.Environment["PSModulePath"] = null;
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "timed out\n" + output);
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
