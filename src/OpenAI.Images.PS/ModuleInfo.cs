namespace OpenAI.Images.PowerShell
{
    /// <summary>Marks the cmdlet assembly (scripts and tests find the loaded copy through it).</summary>
    public static class ModuleInfo
    {
        /// <summary>The module's name.</summary>
        public const string Name = "OpenAI.Images";
    }
}
