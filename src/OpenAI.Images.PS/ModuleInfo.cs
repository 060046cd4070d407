namespace OpenAI.Images.PowerShell
{
    /// <summary>Marks the cmdlet assembly; the loader script uses it to find an already-loaded copy.</summary>
    public static class ModuleInfo
    {
        /// <summary>The module's name.</summary>
        public const string Name = "OpenAI.Images";
    }
}
