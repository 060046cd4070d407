using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace OpenAI.Images.PowerShell
{
    /// <summary>Files as the FileSystem provider returns them (what Get-Item writes).</summary>
    internal static class ProviderItems
    {
        /// <summary>
        /// The file at <paramref name="path"/> with the provider's properties (PSPath, PSParentPath, PSChildName,
        /// PSDrive, PSProvider, PSIsContainer), so it formats, pipes and compares like Get-Item's output. The
        /// properties stay with the <see cref="FileInfo"/> itself, so a FileInfo stored in a result shows them too.
        /// Falls back to a plain FileInfo if the provider cannot read it (a file removed at once by someone else).
        /// </summary>
        public static PSObject GetFile(PSCmdlet cmdlet, string path)
        {
            try
            {
                PSObject? item = cmdlet.InvokeProvider.Item.Get(new[] { path }, true, true).FirstOrDefault();
                if (item?.BaseObject is FileInfo)
                {
                    return item;
                }
            }
            catch (SessionStateException)
            {
                // ItemNotFound, DriveNotFound, ProviderNotFound: the plain FileInfo below still names the file.
            }

            return PSObject.AsPSObject(new FileInfo(path));
        }

        /// <summary>
        /// Resolves -Path (wildcards) or -LiteralPath values to existing files. Writes a non-terminating error for each
        /// path that matches nothing and returns the rest.
        /// </summary>
        public static List<string> ResolveFiles(PSCmdlet cmdlet, string[]? paths, bool literal)
        {
            var files = new List<string>();
            foreach (string path in paths ?? Array.Empty<string>())
            {
                try
                {
                    if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                    {
                        string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                        if (provider.Name != "FileSystem" || !File.Exists(full))
                        {
                            cmdlet.WriteError(NotFound(path, Directory.Exists(full) ? "is a folder, not a file" : "does not exist"));
                            continue;
                        }

                        files.Add(full);
                        continue;
                    }

                    var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo wildProvider)
                        .Where(File.Exists)
                        .ToList();
                    if (wildProvider.Name != "FileSystem" || matches.Count == 0)
                    {
                        // A file whose name contains [ or ] piped in as -Path: take it literally when it exists.
                        string literalFull = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                        if (File.Exists(literalFull))
                        {
                            files.Add(literalFull);
                        }
                        else
                        {
                            cmdlet.WriteError(NotFound(path, "matches no file"));
                        }

                        continue;
                    }

                    files.AddRange(matches);
                }
                catch (ItemNotFoundException)
                {
                    cmdlet.WriteError(NotFound(path, "does not exist"));
                }
                catch (System.Management.Automation.DriveNotFoundException ex)
                {
                    cmdlet.WriteError(new ErrorRecord(ex, "OpenAI.PathNotFound", ErrorCategory.ObjectNotFound, path));
                }
            }

            return files;
        }

        private static ErrorRecord NotFound(string path, string what) => new ErrorRecord(
            new ItemNotFoundException($"The path '{path}' {what}."),
            "OpenAI.PathNotFound",
            ErrorCategory.ObjectNotFound,
            path);
    }
}
