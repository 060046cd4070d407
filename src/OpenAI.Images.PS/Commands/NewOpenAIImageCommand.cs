using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.PowerShell.Completers;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates images from a text prompt (POST /images/generations).</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OpenAIImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ImageResult))]
    public sealed class NewOpenAIImageCommand : OpenAIPromptImageCmdletBase
    {
        /// <summary>The text description of the image.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Prompt { get; set; } = string.Empty;

        /// <summary>Image size, e.g. 1024x1024, 1536x1024, auto; gpt-image-2 takes any WIDTHxHEIGHT within its limits.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(SizeCompleter))]
        public string? Size { get; set; }

        /// <summary>standard, hd, low, medium, high or auto.</summary>
        [Parameter]
        [ValidateSet("standard", "hd", "low", "medium", "high", "auto")]
        public string? Quality { get; set; }

        /// <summary>vivid or natural (dall-e-3).</summary>
        [Parameter]
        [ValidateSet("vivid", "natural")]
        public string? Style { get; set; }

        /// <summary>low or auto (GPT image models).</summary>
        [Parameter]
        [ValidateSet("low", "auto")]
        public string? Moderation { get; set; }

        /// <inheritdoc />
        protected override string ActivityName => "New-OpenAIImage";

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            ImageGenerationRequest request = WithPromptParameters(new ImageGenerationRequest(), Prompt, Quality);
            request.Size = Size;
            request.Style = Lower(Style);
            request.Moderation = Lower(Moderation);
            ExpectWork(1);
            Submit(request, Prompt, $"'{Prompt}'", ImageFiles.Slug(Prompt));
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();
    }
}
