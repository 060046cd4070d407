using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;
using System.Text;

namespace OpenAI.Images.Tests;

/// <summary>
/// Hosts the real PowerShell engine (Microsoft.PowerShell.SDK 7.6.10: the engine with Utility, Management and Security, as pwsh has them) in-process with the module imported from the
/// assembled folder that ships (out/OpenAI.Images), exactly as a user's Import-Module would load it.
/// </summary>
public static class ModuleHost
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The repository root (the folder with OpenAI.Images.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The shipped manifest the tests import.</summary>
    public static string ManifestPath => Path.Combine(RepoRoot, "out", "OpenAI.Images", "OpenAI.Images.psd1");

    /// <summary>A test asset (tests/assets/NAME).</summary>
    public static string Asset(string name) => Path.Combine(RepoRoot, "tests", "assets", name);

    /// <summary>
    /// A PowerShell instance whose runspace has already imported the module; with <paramref name="host"/>, the runspace
    /// runs in that host (whose UI cmdlets write to), else in the engine's default host, which has no UI.
    /// </summary>
    public static PowerShell Create(PSHost? host = null)
    {
        if (!File.Exists(ManifestPath))
        {
            throw new InvalidOperationException($"The module is not built: {ManifestPath} is missing. Run 'dotnet build' at the repository root first.");
        }

        PowerShell ps;
        if (host is null)
        {
            ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        }
        else
        {
            Runspace runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
            runspace.Open();
            ps = PowerShell.Create();
            ps.Runspace = runspace;
        }

        ps.AddCommand("Import-Module").AddParameter("Name", ManifestPath).AddParameter("ErrorAction", "Stop");
        ps.Invoke();
        if (ps.HadErrors)
        {
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        }

        ps.Commands.Clear();
        ps.Streams.ClearStreams();
        return ps;
    }

    /// <summary>Runs script in a fresh runspace with the module imported and captures every stream.</summary>
    public static ScriptResult Run(string script, IDictionary<string, object?>? variables = null, params object[] arguments) =>
        Run((PSHost?)null, script, variables, arguments);

    /// <summary>Runs script in a fresh runspace of <paramref name="host"/> (null: no UI) with the module imported.</summary>
    public static ScriptResult Run(PSHost? host, string script, IDictionary<string, object?>? variables = null, params object[] arguments)
    {
        using PowerShell ps = Create(host);
        try
        {
            return Run(ps, script, variables, arguments);
        }
        finally
        {
            if (host != null)
            {
                ps.Runspace.Dispose();
            }
        }
    }

    /// <summary>Runs script on an existing instance (state such as variables and locations carries over).</summary>
    public static ScriptResult Run(PowerShell ps, string script, IDictionary<string, object?>? variables = null, params object[] arguments)
    {
        Prepare(ps, script, variables, arguments);
        return Collect(ps, ps.Invoke);
    }

    /// <summary>Sets the variables and adds the script (with its arguments) to a cleared instance.</summary>
    internal static void Prepare(PowerShell ps, string script, IDictionary<string, object?>? variables = null, params object[] arguments)
    {
        ps.Commands.Clear();
        ps.Streams.ClearStreams();
        if (variables != null)
        {
            foreach (KeyValuePair<string, object?> v in variables)
            {
                ps.Runspace.SessionStateProxy.SetVariable(v.Key, v.Value);
            }
        }

        ps.AddScript(script);
        foreach (object argument in arguments)
        {
            ps.AddArgument(argument);
        }
    }

    /// <summary>Runs <paramref name="invoke"/> (the script's output) and gathers every stream of <paramref name="ps"/>.</summary>
    internal static ScriptResult Collect(PowerShell ps, Func<IEnumerable<PSObject>> invoke)
    {
        var result = new ScriptResult();
        try
        {
            result.Output.AddRange(invoke());
        }
        catch (RuntimeException ex)
        {
            result.Terminating = ex.ErrorRecord ?? new ErrorRecord(ex, "Unknown", ErrorCategory.NotSpecified, null);
            result.TerminatingException = ex;
        }

        result.Errors.AddRange(ps.Streams.Error);
        result.Verbose.AddRange(ps.Streams.Verbose.Select(v => v.Message));
        result.Debug.AddRange(ps.Streams.Debug.Select(v => v.Message));
        result.Warnings.AddRange(ps.Streams.Warning.Select(v => v.Message));
        result.Progress.AddRange(ps.Streams.Progress);
        result.Information.AddRange(ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? string.Empty));
        return result;
    }

    /// <summary>Quotes a string as a PowerShell single-quoted literal.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "''") + "'";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenAI.Images.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (OpenAI.Images.slnx) above " + AppContext.BaseDirectory);
    }
}

/// <summary>Everything one script run produced.</summary>
public sealed class ScriptResult
{
    public List<PSObject> Output { get; } = new();

    public List<ErrorRecord> Errors { get; } = new();

    public List<string> Verbose { get; } = new();

    public List<string> Debug { get; } = new();

    public List<string> Warnings { get; } = new();

    public List<ProgressRecord> Progress { get; } = new();

    public List<string> Information { get; } = new();

    /// <summary>The terminating error, when the script threw.</summary>
    public ErrorRecord? Terminating { get; set; }

    public RuntimeException? TerminatingException { get; set; }

    /// <summary>Every error: non-terminating ones and the terminating one.</summary>
    public IEnumerable<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating);

    /// <summary>Output objects' base objects of type T.</summary>
    public List<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>().ToList();

    /// <summary>
    /// The module's output objects of the named type (e.g. "ImageResult"), as dynamic: the tests do not reference the
    /// module's assemblies (they load only through Import-Module, as for users), so members are reached at run time.
    /// </summary>
    public List<dynamic> Objects(string typeName) =>
        Output.Where(o => o?.BaseObject.GetType().Name == typeName).Select(o => (dynamic)o.BaseObject).ToList();

    /// <summary>The ImageResult objects written to the output.</summary>
    public List<dynamic> Images => Objects("ImageResult");

    /// <summary>All text of every stream and error, to search for leaked secrets.</summary>
    public string AllText()
    {
        var sb = new StringBuilder();
        foreach (PSObject o in Output)
        {
            sb.AppendLine(o?.ToString());
        }

        foreach (ErrorRecord e in AllErrors)
        {
            sb.AppendLine(e.ToString()).AppendLine(e.Exception?.ToString()).AppendLine(e.ErrorDetails?.Message).AppendLine(e.TargetObject?.ToString());
        }

        foreach (string s in Verbose.Concat(Debug).Concat(Warnings).Concat(Information))
        {
            sb.AppendLine(s);
        }

        foreach (ProgressRecord p in Progress)
        {
            sb.AppendLine(p.Activity).AppendLine(p.StatusDescription).AppendLine(p.CurrentOperation);
        }

        return sb.ToString();
    }

    /// <summary>A one-paragraph description for assertion messages.</summary>
    public string Describe() =>
        $"output: {Output.Count}; errors: [{string.Join(" | ", AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e))}]";
}
