namespace OpenAI.Images
{
    /// <summary>Marks the core assembly; used to locate it (for example in tests).</summary>
    public static class ImagesAssemblyMarker
    {
    }
}
