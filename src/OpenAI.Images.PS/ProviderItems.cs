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
    }
}
