using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// Loads the module's table and list views (OpenAI.Images.Format.ps1xml, beside the manifest) into a session the
    /// first time one of the module's cmdlets that write objects runs there, instead of at Import-Module.
    /// </summary>
    /// <remarks>
    /// The manifest has no FormatsToProcess: loading a format file is the largest part of what Import-Module pays
    /// (PowerShell reads the XML and rebuilds the session's whole format table), and a profile or script that only
    /// imports the module should not pay it. Every object the views are for comes out of one of these cmdlets, which
    /// call <see cref="EnsureLoaded"/> before they write anything, so the views are in place before PowerShell formats
    /// the first of them. The file goes through Update-FormatData, invoked by its type so that neither module
    /// auto-loading nor a command of the same name decides whether it runs; the session remembers the file (a second
    /// call finds it and does nothing; Remove-Module leaves it, and a re-import reuses it).
    /// </remarks>
    internal static class FormatViews
    {
        /// <summary>The format file's name, in the module's folder.</summary>
        internal const string FileName = "OpenAI.Images.Format.ps1xml";

        private static readonly Lazy<CmdletInfo?> UpdateFormatData = new Lazy<CmdletInfo?>(FindUpdateFormatData);

        /// <summary>
        /// Loads the views into the session <paramref name="cmdlet"/> runs in, unless they are there already or the
        /// module was imported without its manifest (the bare assembly has no views, as before). A failure is written
        /// to the debug stream only: the objects are still written, in PowerShell's default layout.
        /// </summary>
        internal static void EnsureLoaded(PSCmdlet cmdlet)
        {
            string? moduleBase = cmdlet.MyInvocation.MyCommand.Module?.ModuleBase;
            InitialSessionState? session = Runspace.DefaultRunspace?.InitialSessionState;
            if (moduleBase == null || session == null)
            {
                return;
            }

            string path = Path.Combine(moduleBase, FileName);
            if (IsLoaded(session, path) || !File.Exists(path))
            {
                return;
            }

            CmdletInfo? update = UpdateFormatData.Value;
            if (update == null)
            {
                cmdlet.WriteDebug($"OpenAI.Images: Update-FormatData is not available in this PowerShell; the table views in '{path}' are not loaded.");
                return;
            }

            try
            {
                using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    ps.AddCommand(update).AddParameter("AppendPath", path);
                    ps.Invoke();
                    foreach (ErrorRecord error in ps.Streams.Error)
                    {
                        cmdlet.WriteDebug($"OpenAI.Images: loading the table views from '{path}': {error}");
                    }
                }
            }
            catch (Exception ex) when (ex is RuntimeException || ex is InvalidOperationException)
            {
                cmdlet.WriteDebug($"OpenAI.Images: the table views in '{path}' could not be loaded: {ex.Message}");
            }
        }

        /// <summary>True when the session has the format file <paramref name="path"/> (loaded by anyone).</summary>
        internal static bool IsLoaded(InitialSessionState session, string path)
        {
            StringComparison comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            foreach (SessionStateFormatEntry entry in session.Formats)
            {
                if (entry.FileName != null && string.Equals(entry.FileName, path, comparison))
                {
                    return true;
                }
            }

            return false;
        }

        // Update-FormatData lives in Microsoft.PowerShell.Commands.Utility, which has the engine's version and public key
        // token in both Windows PowerShell 5.1 and PowerShell 7 (loading the assembly does not import the module).
        private static CmdletInfo? FindUpdateFormatData()
        {
            try
            {
                var name = new AssemblyName(typeof(PSObject).Assembly.FullName!) { Name = "Microsoft.PowerShell.Commands.Utility" };
                Type? type = Type.GetType("Microsoft.PowerShell.Commands.UpdateFormatDataCommand, " + name.FullName, throwOnError: false);
                return type == null ? null : new CmdletInfo("Update-FormatData", type);
            }
            catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is TypeLoadException)
            {
                return null;
            }
        }
    }
}
