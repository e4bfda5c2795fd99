from django import forms

from .models import Article


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "author", "tags", "summary", "body"]
        widgets = {"summary": forms.TextInput(attrs={"size": 60})}

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if len(title) < 5:
            raise forms.ValidationError("A title needs at least 5 characters.")
        return title


class SearchForm(forms.Form):
    q = forms.CharField(max_length=100, required=False)
