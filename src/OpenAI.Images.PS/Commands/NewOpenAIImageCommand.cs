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

        /// <summary>low, medium, high, auto; xhigh and max on the 2.5 and 2.6 models; standard and hd on dall-e-3 (any value for a model the module does not know).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Quality { get; set; }

        /// <summary>vivid or natural (dall-e-3).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Style { get; set; }

        /// <summary>low or auto (GPT image models).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Moderation { get; set; }

        /// <inheritdoc />
        protected override string ActivityName => "New-OpenAIImage";

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            ImageGenerationRequest request = WithPromptParameters(new ImageGenerationRequest(), Prompt, Quality);
            request.Size = Size;
            request.Style = Normalize(nameof(Style), Style);
            request.Moderation = Normalize(nameof(Moderation), Moderation);
            ExpectWork(1);
            Submit(request, Prompt, $"'{Prompt}'", ImageFiles.Slug(Prompt));
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();
    }
}
